# Sourced by setup.sh and demo.sh: a log that never goes silent for long.
# heartbeat LABEL CMD...: run CMD; every HEARTBEAT_S seconds it is still running, print
# "  ... LABEL: N s" on stderr (a piped log, where pip and the CLI show no progress of their own,
# shows that work goes on; stdout stays CMD's own). CMD's status is returned.
HEARTBEAT_S="${HEARTBEAT_S:-5}"
heartbeat() {
  local label=$1 began=$SECONDS beat=0 pid
  shift
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.2
    if (((SECONDS - began) >= (beat + 1) * HEARTBEAT_S)) && kill -0 "$pid" 2>/dev/null; then
      beat=$(((SECONDS - began) / HEARTBEAT_S))
      printf '  ... %s: %d s\n' "$label" $((SECONDS - began)) >&2
    fi
  done
  wait "$pid"
}
