// The launchers: tiny sh scripts that run the shim entry point with node. The ones in the
// repository's shims/ folder find the package next to themselves; `depfence install-shims` writes
// ones with the package's absolute path (and node's) baked in, for CI images.
import { packageFile } from '../sources/package-root.js';
import { SHIM_MARKER, TOOL_NAMES } from './tools.js';

export function shimsDir(): string {
  return packageFile('shims');
}

/** What install-shims writes: a shim for each tool, and the depfence command beside them. */
export const LAUNCHER_NAMES = [...TOOL_NAMES, 'depfence'] as const;
export type LauncherName = (typeof LAUNCHER_NAMES)[number];

/**
 * A launcher in `dir` with the package's and node's absolute paths baked in; the body is the
 * package's shims/launch.sh (a tool's shim) or shims/command.sh (the depfence command), shared
 * with the launchers in the repository.
 */
export function launcherScript(name: LauncherName, root: string, node: string, dir: string): string {
  const shim = name !== 'depfence';
  return [
    '#!/bin/sh',
    shim
      ? `# ${SHIM_MARKER}: runs the real ${name} with the depfence firewall as its only package source.`
      : `# ${SHIM_MARKER}: the depfence command, beside the pip, npm, npx and uv shims.`,
    `# Written by \`depfence install-shims\` for the depfence in ${root}.`,
    ...(shim ? [`tool=${name}`] : []),
    `root=${quote(root)}`,
    `node=${quote(node)}`,
    `shims_dir=${quote(dir)}`,
    shim ? `. "$root/shims/launch.sh"` : `. "$root/shims/command.sh"`,
    '',
  ].join('\n');
}

/** Single-quoted for sh. */
export function quote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
