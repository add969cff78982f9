// The tools depfence puts a shim in front of, and which family's rules each follows.
export type ToolName = 'pip' | 'pip3' | 'npm' | 'npx' | 'uv';
export type ToolFamily = 'pip' | 'npm' | 'uv';

export const TOOL_FAMILY: Record<ToolName, ToolFamily> = { pip: 'pip', pip3: 'pip', npm: 'npm', npx: 'npm', uv: 'uv' };

export const TOOL_NAMES = Object.keys(TOOL_FAMILY) as ToolName[];

export function isToolName(text: string | undefined): text is ToolName {
  return text !== undefined && Object.hasOwn(TOOL_FAMILY, text);
}

/** `DEPFENCE_REAL_PIP3`: the real tool to run instead of searching PATH. */
export function realToolVariable(tool: ToolName): string {
  return `DEPFENCE_REAL_${tool.toUpperCase()}`;
}

/** The marker every depfence launcher carries in its first lines, so a shim never runs another shim. */
export const SHIM_MARKER = 'depfence-shim';
