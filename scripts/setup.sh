#!/usr/bin/env bash
# Set up everything `make run` and `make test` need on a Debian machine:
# the Debian packages (Voikko for Finnish morphology) and a virtual environment
# with the project installed. Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

debian_packages=(libvoikko1 voikko-fi)
# Chromium for the browser tests of the network pages (never `playwright install`)
# kg serve's query editor comes from the npm registry; its browser test runs Chromium
command -v npm >/dev/null || debian_packages+=(nodejs npm)
debian_packages+=(chromium)
missing=()
for p in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Java runs the HermiT reasoner (owlready2); any Java 11+ on the PATH will do.
command -v java >/dev/null || missing+=(default-jre-headless)
if ((${#missing[@]})); then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        echo "setup: installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then
        echo "setup: installing Debian packages with sudo: ${missing[*]}"
        sudo apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "setup: missing system packages: ${missing[*]}" >&2
        echo "setup: install them by hand (Debian/Ubuntu: apt-get install ${missing[*]};" >&2
        echo "       elsewhere: libvoikko and its Finnish dictionary, https://voikko.puimula.org/," >&2
        echo "       and a Java runtime for the HermiT reasoner)" >&2
        exit 1
    fi
fi

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
    for cand in python3.11 python3; do
        if command -v "$cand" >/dev/null; then PYTHON=$cand; break; fi
    done
fi
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "setup: Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
    echo "setup: creating virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e '.[dev]'
# YASGUI for kg serve's page, at the versions of package-lock.json (served from
# node_modules/, never from a CDN)
if [ ! -f node_modules/@zazuko/yasgui/build/yasgui.min.js ] \
        || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: installing the query editor (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: done"
