#!/usr/bin/env bash
# Create the virtualenv if it is missing and install the project into it.
#   scripts/bootstrap.sh runtime     pip install -e .
#   scripts/bootstrap.sh dev         pip install -e '.[dev]' (tests, lint, types, fuzz)
#   scripts/bootstrap.sh bench       pip install -e '.[dev,bench]' (the benchmarks' baselines)
# The Makefile calls this only when pyproject.toml changed since the last install.
set -euo pipefail

kind="${1:-runtime}"
VENV="${VENV:-.venv}"

pick_python() {
    local p
    for p in ${PYTHON:-} python3.11 python3; do
        if command -v "$p" >/dev/null 2>&1 \
            && "$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    echo "bootstrap: wowdesk needs Python 3.11 (set PYTHON=/path/to/python3.11)" >&2
    exit 1
}

if [ ! -x "$VENV/bin/python" ]; then
    py="$(pick_python)"
    echo "bootstrap: creating $VENV with $py ($("$py" --version 2>&1))"
    if ! "$py" -m venv "$VENV" 2>/dev/null; then
        # Debian ships ensurepip separately (python3.11-venv).
        rm -rf "$VENV"
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "bootstrap: installing python3.11-venv"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq </dev/null
            apt-get install -y -qq python3.11-venv </dev/null >/dev/null
            "$py" -m venv "$VENV"
        else
            echo "bootstrap: '$py -m venv' failed; install python3.11-venv" >&2
            exit 1
        fi
    fi
fi

case "$kind" in
    runtime) spec="." ;;
    dev) spec=".[dev]" ;;
    bench) spec=".[dev,bench]" ;;
    *)
        echo "usage: $0 runtime|dev|bench" >&2
        exit 2
        ;;
esac
echo "bootstrap: pip install -e '$spec'"
"$VENV/bin/python" -m pip install --disable-pip-version-check -q -e "$spec" </dev/null
