#!/usr/bin/env bash
# The demo: builds gowrk and the target, starts a throwaway PostgreSQL,
# migrates and seeds it, starts the target, and runs gowrk and the real wrk
# side by side on GET /api, GET /api/posts and POST /api/posts (Lua POST
# script), then prints a table and cleans up.
#
# Environment: DURATION (5s), CONNECTIONS (64), THREADS (2), SEED (10000).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
SEED=${SEED:-10000}

scripts/deps.sh demo
make -s build

data=.data/demo
mkdir -p "$data"
work=$(mktemp -d)
target_pid=""
cleanup() {
	[ -z "$target_pid" ] || kill "$target_pid" 2>/dev/null || true
	[ -z "$target_pid" ] || wait "$target_pid" 2>/dev/null || true
	bin/localpg stop --dir "$data/pg" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

start_postgres "$data/pg"
echo "PostgreSQL: $DATABASE_URL"
bin/target seed -n "$SEED"
bin/target --listen 127.0.0.1:3000 >"$work/target.log" 2>&1 &
target_pid=$!
wait_http http://127.0.0.1:3000/api

printf '\n%-22s %-6s %12s %10s %10s %8s\n' endpoint tool req/s p50 p99 errors
for endpoint in "GET /api" "GET /api/posts" "POST /api/posts"; do
	path=${endpoint#* }
	script=()
	[ "${endpoint%% *}" = POST ] && script=(-s bench/lua/post.lua)
	for tool in gowrk wrk; do
		bin=$tool
		[ "$tool" = gowrk ] && bin=bin/gowrk
		"$bin" -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency "${script[@]}" "http://127.0.0.1:3000$path" >"$work/$tool.out"
		read -r rps p50 p99 errors < <(wrk_summary "$work/$tool.out")
		printf '%-22s %-6s %12s %10s %10s %8s\n' "$endpoint" "$tool" "$rps" "$p50" "$p99" "$errors"
	done
done
