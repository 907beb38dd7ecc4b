#!/usr/bin/env bash
# The README demo: Kota Kupang's 3,000 recipients, 2,570 accounts opened, BANSOS-NT paid through the
# bank simulator (with faults injected), every transfer booked exactly once.
set -euo pipefail
DIR=${1:-.demo}
BIN=$(swift build --show-bin-path)
CTL="$BIN/salurctl"
rm -rf "$DIR"
mkdir -p "$DIR"
cp config/demo.toml "$DIR/salur.toml"
export SALUR_CONFIG="$DIR/salur.toml"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Demo data and SNAP keys"
"$CTL" demo seed --dir "$DIR/data"
"$CTL" demo keys --dir "$DIR/secrets"

step "Bank simulator on loopback (faults: 5% timeouts after booking, 3% dropped answers, 5% in progress, 3% throttled)"
"$BIN/salur-banksim" --port 0 --client-key salur-demo-client --partner-id KUPANG-BPKAD \
  --public-key "$DIR/secrets/public_key.pem" --client-secret-file "$DIR/secrets/client_secret" \
  --source-account 0011999999 --balance 2000000000 --accounts "$DIR/data/bank-accounts.csv" \
  --latency-ms 5 --seed 7 --timeout-after-rate 5 --drop-after-rate 3 --pending-rate 5 --throttle-rate 3 \
  > "$DIR/banksim.out" 2> "$DIR/banksim.log" &
SIM=$!
trap 'kill $SIM 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^listening on' "$DIR/banksim.out" 2>/dev/null && break; sleep 0.1; done
ADDR=$(sed -n 's/^listening on //p' "$DIR/banksim.out" | head -1)
sed -i "s#^base_url = .*#base_url = \"http://$ADDR\"#" "$DIR/salur.toml"
echo "bank simulator at http://$ADDR"

step "Recipients and account openings"
"$CTL" recipients import "$DIR/data/recipients.csv"
"$CTL" accounts export-requests -o "$DIR/opening-request.csv"
"$CTL" accounts import-results "$DIR/data/bank-results.csv"
"$CTL" accounts status

step "Queue BANSOS-NT 2026-11, Rp 300,000 each, and approve (checker)"
"$CTL" transfers enqueue --program BANSOS-NT --period 2026-11 --amount 300000 | head -3
"$CTL" transfers enqueue --program BANSOS-NT --period 2026-11 --amount 300000 | head -1
"$CTL" batches approve --all

step "salurd posts to the bank until nothing is left (logs in $DIR/salurd.log)"
"$BIN/salurd" --exit-when-idle 2> "$DIR/salurd.log"
grep -c 'transfer in doubt' "$DIR/salurd.log" | sed 's/^/transfers that went in doubt and were resolved by status inquiry: /' || true

step "Queue status and batches"
"$CTL" queue status
"$CTL" batches list

step "Reconciliation export against the bank's own ledger"
"$CTL" export reconciliation -o "$DIR/reconciliation.csv"
SETTLED=$(awk -F, 'NR>1 && $12=="settled" {n++; s+=$11} END {printf "%d %d", n, s}' "$DIR/reconciliation.csv")
BOOKED=$(curl -s "http://$ADDR/admin/ledger" | python3 -c '
import json,sys,collections
e=[x for x in json.load(sys.stdin)["entries"] if x["status"]=="settled"]
refs=collections.Counter(x["partnerReferenceNo"] for x in e)
print(len(e), sum(x["amount"] for x in e), sum(1 for c in refs.values() if c>1))')
read -r SN SA <<<"$SETTLED"; read -r BN BA DUP <<<"$BOOKED"
echo "Salur settled: $SN transfers, Rp $SA"
echo "Bank booked:   $BN credits,   Rp $BA; partner references booked twice: $DUP"
[ "$SN" = "$BN" ] && [ "$SA" = "$BA" ] && [ "$DUP" = 0 ] && echo "OK: every transfer booked exactly once" || { echo "MISMATCH"; exit 1; }

step "Reconcile the bank's own statement (MT940) against the transfers"
curl -s "http://$ADDR/admin/statement?format=mt940" > "$DIR/statement.sta"
"$CTL" reconcile "$DIR/statement.sta"
"$CTL" reconcile status
"$CTL" audit verify
