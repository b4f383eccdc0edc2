#!/usr/bin/env bash
# Start the server on the offline tiny profile, show a summary in four languages, stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-50051}"
export HF_HUB_OFFLINE=1
log="$(mktemp)"
.venv/bin/precis serve --profile tiny --port "$port" >"$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
echo "precis serve --profile tiny on 127.0.0.1:$port (pid $server); waiting until SERVING..."
for _ in $(seq 120); do
  if .venv/bin/precis health --server "127.0.0.1:$port" --timeout 1 >/dev/null 2>&1; then break; fi
  if ! kill -0 $server 2>/dev/null; then cat "$log"; exit 1; fi
  sleep 1
done
.venv/bin/precis health --server "127.0.0.1:$port"
echo
echo "\$ precis summarize models/corpus/en.txt --to en,fr,uk,ru"
echo "(tiny profile: random weights, so the text is gibberish; the pipeline is real)"
.venv/bin/precis summarize models/corpus/en.txt --to en,fr,uk,ru --server "127.0.0.1:$port"
echo
echo "\$ precis summarize models/corpus/uk.txt --to fr --json   (metadata: chunks, timings)"
.venv/bin/precis summarize models/corpus/uk.txt --to fr --server "127.0.0.1:$port" --json
