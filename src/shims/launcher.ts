// The launchers: tiny sh scripts that run the shim entry point with node. The ones in the
// repository's shims/ folder find the package next to themselves; `depfence install-shims` writes
// ones with the package's absolute path (and node's) baked in, for CI images.
import { packageFile } from '../sources/package-root.js';
import { SHIM_MARKER, type ToolName } from './tools.js';

export function shimsDir(): string {
  return packageFile('shims');
}

/**
 * A launcher for one tool with the package's and node's absolute paths baked in; the body is the
 * package's shims/launch.sh, shared with the launchers in the repository.
 */
export function launcherScript(tool: ToolName, root: string, node: string): string {
  return [
    '#!/bin/sh',
    `# ${SHIM_MARKER}: runs the real ${tool} with the depfence firewall as its only package source.`,
    `# Written by \`depfence install-shims\` for the depfence in ${root}.`,
    `tool=${tool}`,
    `root=${quote(root)}`,
    `node=${quote(node)}`,
    `. "$root/shims/launch.sh"`,
    '',
  ].join('\n');
}

/** Single-quoted for sh. */
export function quote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
