#!/usr/bin/env bash
# Offline demo on the tiny profile, readable output first: build the tiny models (a line per
# model), serve them with the extractive summarizer on PORT (JSON over HTTP and the web page on
# HTTP_PORT), print the readable summary of a saved news page and the page's address, a curl
# call, then the random-weight translations: one labelled, truncated line per language.
# Nothing stays silent for more than a few seconds (scripts/progress.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/progress.sh
port="${1:-50051}"
http_port="${2:-8080}"
export HF_HUB_OFFLINE=1
precis=.venv/bin/precis
page=tests/data/pages/news-en.html
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
  heartbeat "loading the models and warming them up" serving "$port" "$server" "$log"
}

# serving PORT PID LOG: wait (60 s at most) until the server PID on PORT answers SERVING.
serving() {
  local port=$1 server=$2 log=$3 began=$SECONDS
  while ((SECONDS - began < 60)); do
    if ! kill -0 "$server" 2>/dev/null; then
      echo "demo: the server on port $port stopped (make demo PORT=N uses other ports):" >&2
      grep -v '^\s*$' "$log" | tail -5 >&2
      return 1
    fi
    if grep -q "listening on" "$log" \
      && "$precis" health --server "127.0.0.1:$port" --timeout 1 >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  echo "demo: the server on port $port was not SERVING after 60 s; its log:" >&2
  tail -20 "$log" >&2
  return 1
}

# One line per summary: the language, who made it and the start of its text, control characters
# and undecodable bytes shown as "·" (random weights write anything).
gibberish_lines='
import json, sys
for summary in json.load(sys.stdin)["summaries"]:
    text = "".join(c if c.isprintable() and c != "\ufffd" else "·" for c in summary["text"])
    language, model = summary["language"], summary["model"]
    print(f"  [{language}] {model}, {len(text)} characters: {text[:60]}…")
'

echo "== 1/3 the tiny models: random weights, built here, offline"
# Of the build's log, the line that starts each model; its heartbeat and result line as they are.
heartbeat "building" "$precis" models build-tiny --progress 2>&1 \
  | sed -u -n -E 's/^.* INFO [^ ]+ \[-\] (building [^ ]+) .*/  \1/p; /^(  \.\.\.|profile)/p'
echo
echo "== 2/3 precis serve --profile tiny --summarizer extractive on 127.0.0.1:$port (HTTP: $http_port)"
start "$port" --summarizer extractive --http-port "$http_port"
echo "The web page: http://127.0.0.1:$http_port/   (paste an article or drop a .txt or .html file)"
echo
echo "\$ precis summarize $page --to en   (a saved news page: the server extracts the article,"
echo "  and the extractive summarizer picks its best sentences)"
heartbeat "summarizing" "$precis" summarize "$page" --to en --server "127.0.0.1:$port"
echo
echo "JSON over HTTP on the same server:"
request='{"text": "The council approved the budget on Monday. Schools get more money. The vote was close.", "targetLanguages": ["en"]}'
echo "\$ curl -fsS http://127.0.0.1:$http_port/v1/summarize -H 'Content-Type: application/json' -d '$request'"
curl -fsS "http://127.0.0.1:$http_port/v1/summarize" -H 'Content-Type: application/json' -d "$request"
echo
echo
echo "== 3/3 the same summary translated into fr, uk and ru by the tiny translators"
echo "RANDOM WEIGHTS: this text is gibberish by design (the pipeline, batching and routing are real;"
echo "make serve runs the real models). One truncated line per language:"
echo "\$ precis summarize $page --to fr,uk,ru --json"
# (without the stderr warnings of the number and name checks, which flag every one of them)
heartbeat "translating" "$precis" summarize "$page" --to fr,uk,ru --json --server "127.0.0.1:$port" \
  2> >(grep -v '^precis: warning: ' >&2) | .venv/bin/python -c "$gibberish_lines"
echo
echo "The web page: http://127.0.0.1:$http_port/"
if [[ -t 0 ]]; then
  echo "(open it in a browser; press Enter here to stop the server)"
  read -r _
fi
