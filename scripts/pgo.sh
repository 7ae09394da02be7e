#!/usr/bin/env bash
# Rebuilds cmd/gowrk/default.pgo, the CPU profile the Go compiler uses to
# optimize gowrk (profile-guided optimization: hot calls inlined, hot
# interface calls devirtualized): gowrk --cpuprofile over the workloads it
# is measured on (closed loop at 100 to 10000 connections, a 4 KiB body, a
# constant rate, the Lua scripts of bench/lua, HTTP/2 with 1 and 10
# streams), against bench/nginx.conf and bench/nginx-h2.conf, merged. Run it after changing the engine or the Lua glue; the build picks
# the file up by itself. Environment: DURATION (5s per workload).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}

scripts/deps.sh bench
work=$(mktemp -d)
chmod 755 "$work" # nginx's worker runs as another user
trap 'kill $(cat "$work/nginx.pid" "$work/h2/nginx-h2.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/tmp" "$work/html/static" "$work/prof" "$work/h2/tmp"
# Written whole first: a pipe into head would end base64 with SIGPIPE,
# which pipefail turns into the script's failure.
head -c 3072 /dev/urandom | base64 -w 64 >"$work/4k.b64"
head -c 4096 "$work/4k.b64" >"$work/html/static/4k"
ulimit -n "$(ulimit -Hn)"
nginx -p "$work" -c "$PWD/bench/nginx.conf" &
nginx -p "$work/h2" -c "$PWD/bench/nginx-h2.conf" &
for _ in $(seq 50); do curl -fs http://127.0.0.1:18080/ >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 50); do curl -fs --http2-prior-knowledge http://127.0.0.1:18082/ >/dev/null 2>&1 && break; sleep 0.1; done
BASE=http://127.0.0.1:18080

# The profile must describe the code as built without it.
CGO_ENABLED=0 go build -pgo=off -o "$work/gowrk" ./cmd/gowrk
n=0
run() {
	n=$((n + 1))
	echo "profiling: gowrk $*" >&2
	"$work/gowrk" -d "$DURATION" -q --cpuprofile "$work/prof/$n.pprof" "$@" >/dev/null
}
run -c 100 -t 1 "$BASE/"
run -c 1000 -t 2 "$BASE/"
run -c 10000 -t 2 "$BASE/"
run -c 100 -t 1 "$BASE/static/4k"
run -c 100 -t 1 -R 20000 "$BASE/"
run --http2 -c 50 -t 1 http://127.0.0.1:18082/
run --http2 --streams 10 -c 50 -t 1 http://127.0.0.1:18082/
for script in bench/lua/*.lua; do
	run -c 10 -t 1 -s "$script" "$BASE/"
done
go tool pprof -proto "$work"/prof/*.pprof >cmd/gowrk/default.pgo
echo "wrote cmd/gowrk/default.pgo ($(wc -c <cmd/gowrk/default.pgo) bytes)" >&2
