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
    # Python's own options before -m (flags, -W/-X with their value), then -m pip, -mpip or -m pip.<x>
    echo "function $name --wraps $name"
    echo "  set -l i 1"
    echo "  while test \$i -le (count \$argv)"
    echo "    set -l a \$argv[\$i]"
    echo "    if string match -qr -- '^-[bBdEiIOPqsSuvR]*m\$' \$a; and string match -qr -- '^pip(\\..*)?\$' \$argv[(math \$i + 1)] 2>/dev/null"
    echo "      env DEPFENCE_SHIM_PYTHON=(command -v $name) $q_pip \$argv[(math \$i + 2)..-1]; return \$status"
    echo "    else if string match -qr -- '^-[bBdEiIOPqsSuvR]*mpip(\\..*)?\$' \$a"
    echo "      env DEPFENCE_SHIM_PYTHON=(command -v $name) $q_pip \$argv[(math \$i + 1)..-1]; return \$status"
    echo "    else if string match -qr -- '^-[WX]\$' \$a"
    echo "      set i (math \$i + 2)"
    echo "    else if string match -qr -- '^-[bBdEiIOPqsSuvRWX]' \$a; and not string match -qr -- 'm' \$a"
    echo "      set i (math \$i + 1)"
    echo "    else"
    echo "      break"
    echo "    end"
    echo "  end"
    echo "  command $name \$argv"
    echo "end"
  done
  exit 0
fi

echo "# depfence: pip, npm, npx and uv through the firewall (add to ~/.${shell}rc: eval \"\$(depfence shell-init $shell)\")"
echo "case \":\$PATH:\" in $(quote ":$dir:")*) ;; *) export PATH=$q_dir\":\$PATH\" ;; esac"
echo "export HF_ENDPOINT=$q_hf HF_HUB_ENABLE_HF_TRANSFER=0 HF_HUB_DISABLE_XET=1"
for name in python python3; do
  # Python's own options before -m (flags, -W/-X with their value), then -m pip, -mpip or -m pip.<x>
  echo "$name() {"
  echo "  local depfence_i=1 depfence_a depfence_b"
  echo "  while [ \$depfence_i -le \$# ]; do"
  echo "    eval \"depfence_a=\\\${\$depfence_i}\""
  echo "    case \$depfence_a in"
  echo "      -m | -[bBdEiIOPqsSuvR]*m) eval \"depfence_b=\\\${\$((depfence_i + 1)):-}\"; case \$depfence_b in pip | pip.*) shift \$((depfence_i + 1)); DEPFENCE_SHIM_PYTHON=\"\$(command -v $name)\" $q_pip \"\$@\"; return ;; esac; break ;;"
  echo "      -mpip | -mpip.* | -[bBdEiIOPqsSuvR]*mpip | -[bBdEiIOPqsSuvR]*mpip.*) shift \$depfence_i; DEPFENCE_SHIM_PYTHON=\"\$(command -v $name)\" $q_pip \"\$@\"; return ;;"
  echo "      -W | -X) depfence_i=\$((depfence_i + 2)) ;;"
  echo "      -[WX]* | -[bBdEiIOPqsSuvR]*) case \$depfence_a in *m*) break ;; esac; depfence_i=\$((depfence_i + 1)) ;;"
  echo "      *) break ;;"
  echo "    esac"
  echo "  done"
  echo "  command $name \"\$@\""
  echo "}"
done
echo 'hash -r 2>/dev/null || true'
