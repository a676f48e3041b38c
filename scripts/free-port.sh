#!/usr/bin/env bash
# Print the first TCP port from $1 upwards that nothing listens on at 127.0.0.1, so a
# test server never collides with one left by another run.
set -euo pipefail
port="${1:-25432}"
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
done
echo "$port"
