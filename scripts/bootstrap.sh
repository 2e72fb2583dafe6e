#!/bin/sh
# llmenv bootstrap: from a machine with no Python to a verified environment.
#
#   sh bootstrap.sh [--mirror NAME|auto] [PROFILE] [llmenv setup options...]
#   sh bootstrap.sh --bundle FILE [PROFILE] [llmenv setup options...]   (no network: see bootstrap_bundle.sh)
#
# Needs only a POSIX shell, curl or wget, tar, and unzip (or bsdtar). It fetches the uv wheel from the PyPI mirror
# (hash-checked), takes the uv binary out of it, installs a managed CPython with uv into llmenv's data folder
# (never the system's Python, never PATH), installs llmenv into a private venv there, and runs
# `llmenv setup` with the arguments given. Every argument is passed on unchanged.
#
# Settings (environment):
#   LLMENV_PYPI_MIRROR     PyPI simple index to use (default: from --mirror, else https://pypi.org/simple)
#   LLMENV_PYTHON_MIRROR   python-build-standalone mirror for uv (UV_PYTHON_INSTALL_MIRROR; default: from --mirror)
#   LLMENV_PYTHON_VERSION  managed CPython to install (default 3.12)
#   LLMENV_UV_VERSION      uv release to fetch (default 0.13.9: the Python builds uv knows are fixed per release)
#   LLMENV_SPEC            what to install (default: this checkout when the script runs from one, else llmenv)
#   LLMENV_DATA_DIR        where it all goes (default: $XDG_DATA_HOME/llmenv or ~/.local/share/llmenv)
# The built-in sets below are the same URLs as src/llmenv/mirrors/sets.py (a test keeps them equal); sources in
# docs/mirrors.md.
set -eu

UV_VERSION=${LLMENV_UV_VERSION:-0.13.9}
PY_VERSION=${LLMENV_PYTHON_VERSION:-3.12}
# llmenv is not published on PyPI: from a checkout (scripts/ beside pyproject.toml), install that checkout.
checkout=$(CDPATH='' cd -- "${0%/*}/.." 2>/dev/null && pwd) || checkout=""
if [ -n "$checkout" ] && [ -f "$checkout/pyproject.toml" ] && grep -q '^name = "llmenv"' "$checkout/pyproject.toml"; then
  SPEC=${LLMENV_SPEC:-$checkout}
else
  SPEC=${LLMENV_SPEC:-llmenv}
fi
UPSTREAM_PYPI=https://pypi.org/simple

say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { printf 'bootstrap: error: %s\n' "$1" >&2; [ $# -gt 1 ] && printf 'Fix: %s\n' "$2" >&2; exit "${3:-4}"; }

set_pypi() {
  case $1 in
    china | tuna) echo https://pypi.tuna.tsinghua.edu.cn/simple ;;
    ustc) echo https://mirrors.ustc.edu.cn/pypi/simple ;;
    aliyun) echo https://mirrors.aliyun.com/pypi/simple/ ;;
    tencent) echo https://mirrors.cloud.tencent.com/pypi/simple ;;
    huawei) echo https://mirrors.huaweicloud.com/repository/pypi/simple ;;
    cernet) echo https://mirrors.cernet.edu.cn/pypi/web/simple ;;
    sjtu) echo https://mirror.sjtu.edu.cn/pypi/web/simple ;;
    *) echo "" ;;
  esac
}

set_python() {
  case $1 in
    china | ustc) echo https://mirrors.ustc.edu.cn/github-release/astral-sh/python-build-standalone ;;
    *) echo "" ;;
  esac
}

fetch() { # URL OUTPUT
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --connect-timeout 10 --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -T 10 -t 3 -O "$2" "$1"
  else
    die "neither curl nor wget is installed" "install curl (or wget) with your system's package manager" 3
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
  else openssl dgst -sha256 "$1" | sed 's/.*= *//'
  fi
}

unzip_member() { # WHEEL MEMBER OUTPUT
  if command -v unzip >/dev/null 2>&1; then unzip -p "$1" "$2" >"$3"
  elif command -v bsdtar >/dev/null 2>&1; then bsdtar -xOf "$1" "$2" >"$3"
  else die "neither unzip nor bsdtar is installed" "install unzip with your system's package manager" 3
  fi
}

# --bundle FILE: everything comes from the bundle, with no network (scripts/bootstrap_bundle.sh does the work;
# the other arguments go to `llmenv setup --bundle FILE` unchanged).
bundle=""
prev=""
for arg in "$@"; do
  shift
  if [ "$prev" = "--bundle" ]; then bundle=$arg; prev=""; continue; fi
  case $arg in
    --bundle) prev=--bundle; continue ;;
    --bundle=*) bundle=${arg#--bundle=}; continue ;;
  esac
  set -- "$@" "$arg"
  prev=""
done
[ "$prev" = "--bundle" ] && die "--bundle needs a file" "give the bundle made by \`llmenv bundle\`: --bundle FILE" 2
if [ -n "$bundle" ]; then
  here=$(CDPATH='' cd -- "${0%/*}" 2>/dev/null && pwd) || here=.
  [ -f "$here/bootstrap_bundle.sh" ] || die "--bundle needs bootstrap_bundle.sh beside this script" \
    "run scripts/bootstrap.sh from a copy of llmenv's scripts/ folder" 2
  # shellcheck source=scripts/bootstrap_bundle.sh
  . "$here/bootstrap_bundle.sh"
  llmenv_bootstrap_bundle "$bundle" "$@"
  exit $?
fi

# --mirror NAME / --mirror=NAME among the arguments (passed on to llmenv unchanged).
mirror=${LLMENV_MIRROR:-}
prev=""
for arg in "$@"; do
  case $arg in --mirror=*) mirror=${arg#--mirror=} ;; esac
  [ "$prev" = "--mirror" ] && mirror=$arg
  prev=$arg
done

case $(uname -s) in
  Linux)
    if ldd --version 2>&1 | grep -qi musl; then os_tag=musllinux; else os_tag=manylinux; fi
    data=${LLMENV_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/llmenv} ;;
  Darwin) os_tag=macosx; data=${LLMENV_DATA_DIR:-$HOME/Library/Application Support/llmenv} ;;
  *) die "unsupported system $(uname -s)" "on Windows use scripts/bootstrap.ps1" 3 ;;
esac
case $(uname -m) in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=$([ "$os_tag" = macosx ] && echo arm64 || echo aarch64) ;;
  *) arch=$(uname -m) ;;
esac

pypi=${LLMENV_PYPI_MIRROR:-}
python_mirror=${LLMENV_PYTHON_MIRROR:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

if [ -z "$pypi" ] && [ "$mirror" = auto ]; then
  for name in upstream tuna ustc aliyun tencent huawei cernet sjtu; do
    if [ "$name" = upstream ]; then url=$UPSTREAM_PYPI; else url=$(set_pypi "$name"); fi
    if fetch "${url%/}/uv/" "$work/probe" 2>/dev/null; then pypi=$url; break; fi
  done
  [ -n "$python_mirror" ] || python_mirror=$(set_python china)
elif [ -n "$mirror" ]; then
  [ -n "$pypi" ] || pypi=$(set_pypi "$mirror")
  [ -n "$python_mirror" ] || python_mirror=$(set_python "$mirror")
fi
pypi=${pypi:-$UPSTREAM_PYPI}
say "PyPI index: $pypi"

# 1. uv, from its wheel on the PyPI mirror, checked against the index's sha256.
page="${pypi%/}/uv/"
fetch "$page" "$work/uv.html" || die "cannot read $page" \
  "the host does not answer: try another mirror (--mirror china, tuna, aliyun ...) or set LLMENV_PYPI_MIRROR"
# Split the page at quotes and angle brackets, one token a line; keep the first href of a matching wheel.
# shellcheck disable=SC2020  # four characters, each to a newline
link=$(tr "\"'<>" '\n\n\n\n' <"$work/uv.html" |
  grep -E "uv-$UV_VERSION-py3-none-[^/]*${os_tag}[^/]*${arch}[^/#]*\.whl(#.*)?$" | head -n 1 || true)
[ -n "$link" ] || die "$page lists no uv $UV_VERSION wheel for $os_tag $arch" \
  "set LLMENV_UV_VERSION to a release the mirror has, or use another mirror" 3
case $link in
  http://* | https://*) url=$link ;;
  /*) url=$(printf '%s' "$page" | sed 's|^\([a-z]*://[^/]*\).*|\1|')$link ;;
  *) url=$page$link ;;
esac
want=$(printf '%s' "$url" | sed -n 's/.*#sha256=\([0-9a-f]*\).*/\1/p')
url=${url%%#*}
say "fetching $(basename "$url")"
fetch "$url" "$work/uv.whl" || die "cannot download $url" "try another mirror (--mirror ...)"
if [ -n "$want" ] && [ "$(sha256 "$work/uv.whl")" != "$want" ]; then
  die "the uv wheel from $url does not match its sha256 $want" "the mirror serves a corrupt file: use another one"
fi
mkdir -p "$data/bin"
unzip_member "$work/uv.whl" "uv-$UV_VERSION.data/scripts/uv" "$data/bin/uv"
chmod +x "$data/bin/uv"
uv=$data/bin/uv

# 2. A managed CPython in llmenv's data folder (--no-bin: nothing is linked into PATH).
export UV_PYTHON_INSTALL_DIR="$data/python"
if [ -n "$python_mirror" ]; then export UV_PYTHON_INSTALL_MIRROR="$python_mirror"; fi
say "installing managed CPython $PY_VERSION${python_mirror:+ from $python_mirror}"
"$uv" python install "$PY_VERSION" --no-bin || die "uv could not install CPython $PY_VERSION" \
  "set LLMENV_PYTHON_MIRROR to a python-build-standalone mirror (or --mirror china)"
python=$("$uv" python find --managed-python --no-python-downloads "$PY_VERSION")

# 3. llmenv in a private venv, from the same index. --compile-bytecode does what pip does by default: without it
# every run where PYTHONDONTWRITEBYTECODE is set compiles llmenv and its dependencies again.
"$uv" venv --quiet --allow-existing --python "$python" "$data/venv"
say "installing $SPEC"
"$uv" pip install --quiet --compile-bytecode --python "$data/venv/bin/python" --index-url "$pypi" "$SPEC" ||
  die "installing $SPEC from $pypi failed" "try another mirror (--mirror ...)"

# 4. The environment itself.
say "running: llmenv setup $*"
exec "$data/venv/bin/llmenv" setup "$@"
