#!/usr/bin/env bash
# Offline demo on the tiny profile: the abstractive pipeline (random weights: gibberish) on PORT,
# then a readable extractive summary of the same article from a second server on PORT+1, which also
# serves JSON over HTTP and the web page on HTTP_PORT (a curl call shows it working).
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-50051}"
http_port="${2:-8080}"
export HF_HUB_OFFLINE=1
precis=.venv/bin/precis
pids=()
logs=()
trap 'for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait || true; rm -f "${logs[@]}"' EXIT

# start PORT FLAGS...: serve the tiny profile on PORT; return once it is SERVING, or exit with
# the server's own message (a taken port is reported by the server, not mistaken for ours).
start() {
  local port=$1 log
  shift
  log="$(mktemp)"
  logs+=("$log")
  "$precis" serve --profile tiny --port "$port" "$@" >"$log" 2>&1 &
  local server=$!
  pids+=("$server")
  for _ in $(seq 120); do
    if ! kill -0 "$server" 2>/dev/null; then
      echo "demo: the server on port $port stopped (make demo PORT=N uses other ports):" >&2
      grep -v '^\s*$' "$log" | tail -5 >&2
      exit 1
    fi
    if grep -q "listening on" "$log" \
      && "$precis" health --server "127.0.0.1:$port" --timeout 1 >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  echo "demo: the server on port $port was not SERVING after 60 s; its log:" >&2
  tail -20 "$log" >&2
  exit 1
}

echo "starting precis serve --profile tiny on 127.0.0.1:$port ..."
start "$port" --http-port=-1
echo
echo "\$ precis summarize models/precis_models/corpus/en.txt --to en,fr,uk,ru"
echo "(tiny profile: random weights, so the text is gibberish; the pipeline is real)"
"$precis" summarize models/precis_models/corpus/en.txt --to en,fr,uk,ru --server "127.0.0.1:$port"
echo
echo "\$ precis summarize models/precis_models/corpus/uk.txt --to fr --json   (metadata: chunks, timings)"
"$precis" summarize models/precis_models/corpus/uk.txt --to fr --server "127.0.0.1:$port" --json
echo
extractive=$((port + 1))
echo "starting precis serve --profile tiny --summarizer extractive on 127.0.0.1:$extractive ..."
start "$extractive" --summarizer extractive --http-port "$http_port"
echo
echo "\$ precis summarize models/precis_models/corpus/en.txt --to en   (extractive: the article's own sentences)"
"$precis" summarize models/precis_models/corpus/en.txt --to en --server "127.0.0.1:$extractive"
echo
echo "JSON over HTTP on the same server:"
request='{"text": "The council approved the budget on Monday. Schools get more money. The vote was close.", "targetLanguages": ["en"]}'
echo "\$ curl -fsS http://127.0.0.1:$http_port/v1/summarize -H 'Content-Type: application/json' -d '$request'"
curl -fsS "http://127.0.0.1:$http_port/v1/summarize" -H 'Content-Type: application/json' -d "$request"
echo
echo
echo "The web page: http://127.0.0.1:$http_port/"
if [[ -t 0 ]]; then
  echo "(open it in a browser; press Enter here to stop the servers)"
  read -r _
fi
