// The launchers: tiny sh scripts that run the shim entry point with node. The ones in the
// repository's shims/ folder find the package next to themselves; `depfence install-shims` writes
// ones with the package's absolute path (and node's) baked in, for CI images.
import { existsSync } from 'node:fs';
import { packageFile } from '../sources/package-root.js';
import { SHIM_MARKER, type ToolName } from './tools.js';

export function shimsDir(): string {
  return packageFile('shims');
}

/** A launcher for one tool with absolute paths: the compiled entry when built, else the TypeScript one through tsx. */
export function launcherScript(tool: ToolName, root: string, node: string): string {
  const compiled = `${root}/dist/shims/main.js`;
  const run = existsSync(compiled)
    ? `exec ${quote(node)} ${quote(compiled)} ${tool} "$@"`
    : `exec ${quote(node)} --import ${quote(`${root}/node_modules/tsx/dist/loader.mjs`)} ${quote(`${root}/src/shims/main.ts`)} ${tool} "$@"`;
  return [
    '#!/bin/sh',
    `# ${SHIM_MARKER}: runs the real ${tool} with the depfence firewall as its only package source.`,
    `# Written by \`depfence install-shims\` for the depfence in ${root}.`,
    run,
    '',
  ].join('\n');
}

/** Single-quoted for sh. */
export function quote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
