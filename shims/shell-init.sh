# `depfence shell-init [bash|zsh|fish]`: the lines that put the shims folder ($DEPFENCE_SHIMS_DIR)
# first on PATH, plus `python`/`python3` functions that send `python -m pip` through the pip shim,
# and HF_ENDPOINT pointing the Hugging Face clients at the firewall's /-/hf endpoint (on the host
# and port of DEPFENCE_SERVER__HOST / DEPFENCE_SERVER__PORT, default 127.0.0.1:4874), with the
# hf_transfer and Xet download paths turned off so no file comes around it.
#   eval "$(depfence shell-init bash)"      (bash, zsh)
#   depfence shell-init fish | source       (fish)
# The one implementation: the depfence launcher runs it directly (no Node start in every new
# shell), and the CLI's shell-init command runs it too.

# Single-quoted for the shell when it holds anything but plain path characters.
quote() {
  case $1 in
    '' | *[!A-Za-z0-9_@%+=:,./-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
    *) printf '%s' "$1" ;;
  esac
}

if [ -n "${1:-}" ]; then
  shell=$1
  case $shell in
    bash | zsh | fish) ;;
    *) echo "depfence: shell-init knows bash, zsh, fish, not \"$shell\"" >&2; exit 2 ;;
  esac
else
  shell=${SHELL:-}
  shell=${shell##*/}
  case $shell in
    bash | zsh | fish) ;;
    *) shell=bash ;;
  esac
fi

dir=$DEPFENCE_SHIMS_DIR
q_dir=$(quote "$dir")
q_pip=$(quote "$dir/pip")

host=${DEPFENCE_SERVER__HOST:-127.0.0.1}
case $host in
  0.0.0.0 | '::' | '[::]') host=127.0.0.1 ;;
  *:*) host="[$host]" ;;
esac
q_hf=$(quote "http://$host:${DEPFENCE_SERVER__PORT:-4874}/-/hf")

if [ "$shell" = fish ]; then
  echo '# depfence: pip, npm, npx and uv through the firewall (add to ~/.config/fish/config.fish: depfence shell-init fish | source)'
  echo "if test \"\$PATH[1]\" != $q_dir; set -gx PATH $q_dir \$PATH; end"
  echo "set -gx HF_ENDPOINT $q_hf; set -gx HF_HUB_ENABLE_HF_TRANSFER 0; set -gx HF_HUB_DISABLE_XET 1"
  for name in python python3; do
    echo "function $name --wraps $name; if test (count \$argv) -ge 2; and test \"\$argv[1]\" = -m; and test \"\$argv[2]\" = pip; env DEPFENCE_SHIM_PYTHON=(command -v $name) $q_pip \$argv[3..-1]; else; command $name \$argv; end; end"
  done
  exit 0
fi

echo "# depfence: pip, npm, npx and uv through the firewall (add to ~/.${shell}rc: eval \"\$(depfence shell-init $shell)\")"
echo "case \":\$PATH:\" in $(quote ":$dir:")*) ;; *) export PATH=$q_dir\":\$PATH\" ;; esac"
echo "export HF_ENDPOINT=$q_hf HF_HUB_ENABLE_HF_TRANSFER=0 HF_HUB_DISABLE_XET=1"
for name in python python3; do
  echo "$name() { if [ \"\$1\" = \"-m\" ] && [ \"\$2\" = \"pip\" ]; then shift 2; DEPFENCE_SHIM_PYTHON=\"\$(command -v $name)\" $q_pip \"\$@\"; else command $name \"\$@\"; fi; }"
done
echo 'hash -r 2>/dev/null || true'
