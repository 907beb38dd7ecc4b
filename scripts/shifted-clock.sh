#!/usr/bin/env bash
# Runs COMMAND with the calendar clock moved DAYS days ahead (monotonic clocks untouched):
#   scripts/shifted-clock.sh DAYS -- COMMAND…
# The test suite runs a second time this way (make test), so that a test depending on today's date
# fails now, not on the first day of a later month.
set -euo pipefail
[ $# -ge 3 ] && [ "$2" = -- ] || { echo "usage: $0 DAYS -- COMMAND..." >&2; exit 64; }
DAYS=$1
shift 2
DIR=$(mktemp -d /tmp/salur-clock.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
cc -shared -fPIC -O2 -o "$DIR/libclockshift.so" "$(dirname "$0")/clock-shift.c" -ldl
chmod 755 "$DIR" "$DIR/libclockshift.so"
echo "calendar clock moved $DAYS days ahead: $(SALUR_CLOCK_SHIFT_DAYS=$DAYS LD_PRELOAD=$DIR/libclockshift.so date -u +%Y-%m-%dT%H:%MZ)"
SALUR_CLOCK_SHIFT_DAYS=$DAYS LD_PRELOAD="$DIR/libclockshift.so${LD_PRELOAD:+:$LD_PRELOAD}" "$@"
