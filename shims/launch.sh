# depfence-shim launcher body, sourced by the pip, pip3, npm, npx and uv launchers with $tool and
# $root set (and $node and $shims_dir, by launchers that `depfence install-shims` writes).
#
# Invocations that only print (`--version`, `--help` as the first argument) end in the tool's own
# code before it reads any configuration or contacts anything, so they run the real tool straight
# from here, without a Node start-up. Everything else goes to the Node shim, which runs the tool
# with the firewall as its only source (src/shims/session.ts) and finds the real tool the same way.

depfence_real_tool() {
  if [ -n "${DEPFENCE_SHIM_PYTHON:-}" ] && { [ "$tool" = pip ] || [ "$tool" = pip3 ]; }; then
    return 1 # `python -m pip`: the Node shim knows how to run that
  fi
  depfence_override=$(eval "printf '%s' \"\${DEPFENCE_REAL_$(printf '%s' "$tool" | tr 'a-z' 'A-Z'):-}\"")
  case "$depfence_override" in
    */*) [ -f "$depfence_override" ] && [ -x "$depfence_override" ] || return 1; depfence_real=$depfence_override; return 0 ;;
    '') depfence_name=$tool ;;
    *) depfence_name=$depfence_override ;;
  esac
  depfence_ifs=$IFS
  IFS=:
  for depfence_dir in $PATH; do
    depfence_candidate=${depfence_dir:-.}/$depfence_name
    if [ -f "$depfence_candidate" ] && [ -x "$depfence_candidate" ] && ! head -c 512 "$depfence_candidate" 2>/dev/null | grep -q depfence-shim; then
      IFS=$depfence_ifs
      depfence_real=$depfence_candidate
      return 0
    fi
  done
  IFS=$depfence_ifs
  return 1
}

# `npx depfence …` is this depfence (whichever package of that name a registry may have): run it
# here, never fetched or pre-flighted.
if [ "$tool" = npx ]; then
  case "${1:-}:${2:-}" in
    depfence:*) shift; . "$root/shims/command.sh" ;;
    -y:depfence | --yes:depfence) shift 2; . "$root/shims/command.sh" ;;
  esac
fi

depfence_prints_only=
case "$tool:${1:-}" in
  pip:--version | pip:-V | pip:--help | pip:-h | pip3:--version | pip3:-V | pip3:--help | pip3:-h) depfence_prints_only=1 ;;
  uv:--version | uv:-V | uv:--help | uv:-h) depfence_prints_only=1 ;;
  npm:--version | npm:-v | npm:--help | npm:-h | npx:--version | npx:-v | npx:--help | npx:-h) depfence_prints_only=1 ;;
esac
if [ -n "$depfence_prints_only" ] && depfence_real_tool; then
  exec "$depfence_real" "$@"
fi

if [ -z "${DEPFENCE_SHIM_FROM_SOURCE:-}" ] && [ -f "$root/dist/shims/main.js" ]; then
  exec "${node:-node}" "$root/dist/shims/main.js" "$tool" "$@"
fi
exec "${node:-node}" --import "$root/node_modules/tsx/dist/loader.mjs" "$root/src/shims/main.ts" "$tool" "$@"
