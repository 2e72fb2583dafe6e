#!/bin/sh
# llmenv from a bundle on a machine with no Python and no network: POSIX sh, tar, gzip and sha256sum (or shasum).
#
#   sh scripts/bootstrap_bundle.sh BUNDLE.tar [llmenv setup arguments: PROFILE --env PATH ...]
#
# Checks the bundle's llmenv wheels and CPython archive against its SHA256SUMS (the manifest's hashes), unpacks the
# CPython (python-build-standalone install_only layout) into llmenv's data folder, installs llmenv into a private
# venv from the bundle's wheels only, then runs `llmenv setup --bundle BUNDLE` with the arguments given (which
# checks every member again before installing anything). The function is meant to be sourced by
# scripts/bootstrap.sh for its `--bundle FILE` option; run directly, it does the same on its own.
set -eu

llmenv_bootstrap_bundle() {
    bundle=$1
    shift
    [ -f "$bundle" ] || { echo "error: bundle $bundle: no such file" >&2; return 2; }
    case $bundle in /*) ;; *) bundle=$(pwd)/$bundle ;; esac
    if command -v sha256sum >/dev/null 2>&1; then check="sha256sum -c --quiet -"
    elif command -v shasum >/dev/null 2>&1; then check="shasum -a 256 -c --quiet -"
    else echo "error: neither sha256sum nor shasum found: cannot check the bundle" >&2; return 2
    fi
    home=${LLMENV_BOOTSTRAP_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/llmenv/bootstrap}
    mkdir -p "$home"
    scratch=$(mktemp -d "$home/unpack.XXXXXX")
    # Only the members this script needs; tar refuses absolute and `..` names by default.
    tar -xf "$bundle" -C "$scratch" SHA256SUMS
    members=$(tar -tf "$bundle" | grep -E '^(llmenv|python)/[A-Za-z0-9._+-]+$' || true)
    [ -n "$members" ] || { echo "error: $bundle carries no llmenv wheels" >&2; rm -rf "$scratch"; return 2; }
    # shellcheck disable=SC2086 # member names are checked above: no spaces, no globs
    tar -xf "$bundle" -C "$scratch" $members
    for name in $members; do
        grep -F "  $name" "$scratch/SHA256SUMS" | grep -q -x "[0-9a-f]\{64\}  $name" || {
            echo "error: bundle $bundle refused: member $name is not in its SHA256SUMS; nothing was installed" >&2
            rm -rf "$scratch"; return 2; }
    done
    if ! (cd "$scratch" && grep -E '  (llmenv|python)/' SHA256SUMS | $check); then
        echo "error: bundle $bundle refused: a member does not match its sha256 (above); nothing was installed" >&2
        rm -rf "$scratch"
        return 2
    fi
    python=""
    archive=$(find "$scratch/python" -name '*.tar.gz' 2>/dev/null | head -n 1)
    if [ -n "$archive" ]; then
        rm -rf "$home/python"
        mkdir -p "$home/python"
        tar -xzf "$archive" -C "$home/python"
        python="$home/python/python/bin/python3"
    else
        for candidate in python3 python; do
            if command -v "$candidate" >/dev/null 2>&1; then python=$(command -v "$candidate"); break; fi
        done
    fi
    [ -n "$python" ] || {
        echo "error: no Python on this machine and the bundle carries none: make the bundle with --python-archive" >&2
        rm -rf "$scratch"; return 3; }
    "$python" -m venv "$home/venv"
    PIP_CONFIG_FILE=/dev/null "$home/venv/bin/python" -m pip install -q --no-index --find-links "$scratch/llmenv" llmenv
    rm -rf "$scratch"
    case " $* " in *" --python "*) set -- "$@" ;; *) set -- "$@" --python "$python" ;; esac
    # On PATH so llmenv's interpreter discovery finds it (a managed CPython is not on the system's PATH).
    PATH="${python%/*}:$PATH" "$home/venv/bin/llmenv" setup --bundle "$bundle" "$@"
}

case ${0##*/} in
    bootstrap_bundle.sh) llmenv_bootstrap_bundle "$@" ;;
esac
