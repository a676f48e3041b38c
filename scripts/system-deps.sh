#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only if they are missing.
#   scripts/system-deps.sh   PostgreSQL, Redis (cluster chat test), Dovecot (IMAP tests),
#                            Chromium (browser tests), a CJK font (Chinese screenshots)
# `apt-get update` runs once, and only when something must be installed.
set -euo pipefail

missing=()
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
have_pg || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "system packages: all present (postgresql, redis-server, dovecot-imapd, chromium, fonts-wqy-microhei)"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "system packages missing: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "system packages: installing ${missing[*]}"
apt-get update -qq </dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
echo "system packages: installed ${missing[*]}"
