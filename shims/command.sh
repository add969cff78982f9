# The depfence command's launcher body, sourced by shims/depfence, by the depfence launcher that
# `depfence install-shims` writes, and by the npx shim for `npx depfence …`, with $root set (and
# $node and $shims_dir, by launchers written by install-shims).
#
# `depfence shell-init [SHELL]` prints its lines from here, without starting Node; everything else
# (shell-init with options included) goes to the CLI.

if [ "${1:-}" = shell-init ] && [ $# -le 2 ] && case "${2:-}" in -*) false ;; *) true ;; esac; then
  shift
  DEPFENCE_SHIMS_DIR=${shims_dir:-$root/shims} exec sh "$root/shims/shell-init.sh" "$@"
fi
if [ -z "${DEPFENCE_SHIM_FROM_SOURCE:-}" ] && [ -f "$root/dist/cli/main.js" ]; then
  exec "${node:-node}" "$root/dist/cli/main.js" "$@"
fi
exec "${node:-node}" --import "$root/node_modules/tsx/dist/loader.mjs" "$root/src/cli/main.ts" "$@"
