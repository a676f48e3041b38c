#!/usr/bin/env bash
# Run one phase of the build with a header and its duration:
#   scripts/phase.sh "Title" command args...
# With PHASE_LOG=FILE, also appends "title status seconds" to FILE (the summary of make test).
set -uo pipefail

title="$1"
shift
if [ -t 1 ]; then bold=$'\033[1m'; red=$'\033[31m'; off=$'\033[0m'; else bold='' red='' off=''; fi
printf '\n%s==== %s ====%s\n' "$bold" "$title" "$off"
start=$(date +%s)
"$@"
rc=$?
took=$(($(date +%s) - start))
if [ "$rc" -eq 0 ]; then
    printf '%s---- %s: ok in %ss%s\n' "$bold" "$title" "$took" "$off"
else
    printf '%s---- %s: FAILED (exit %s) after %ss%s\n' "$red$bold" "$title" "$rc" "$took" "$off"
fi
if [ -n "${PHASE_LOG:-}" ]; then
    printf '%-32s %-7s %5ss\n' "$title" "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)" "$took" \
        >>"$PHASE_LOG"
fi
exit "$rc"
