#!/usr/bin/env bash
# Regenerates man/salurctl.1 and man/salurd.1 from the commands' own argument-parser definitions
# (swift-argument-parser's generate-manual tool reading `--experimental-dump-help`). Run it after
# changing a command, an option or a help text, and commit the pages; the test "man pages" checks
# that every command and option is in them. man/salur.toml.5 is written by hand.
#   scripts/gen-man.sh            regenerate (debug build; nothing is installed)
#   MAN_DATE=2026-12-01 scripts/gen-man.sh   the date printed in the pages (default: today, UTC)
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
MAN_DATE=${MAN_DATE:-$(date -u +%Y-%m-%d)}

$SWIFT build --product salurctl >/dev/null
$SWIFT build --product salurd >/dev/null
bin=$($SWIFT build --show-bin-path)
generator="$bin/generate-manual-tool"
if [ ! -x "$generator" ]; then
  # The argument parser's plugin builds its generator (and every product, already built above) and
  # then writes pages into its own work folder; only the generator is used from it.
  $SWIFT package --allow-writing-to-package-directory generate-manual --configuration debug >/dev/null
fi
mkdir -p man
for tool in salurctl salurd; do
  "$generator" "$bin/$tool" --date "$MAN_DATE" --output-directory man
  echo "man/$tool.1"
done
