#!/usr/bin/env bash
# Reruns every experiment of the notes on this machine and writes
# bench/results/<date>/: summary.md plus gowrk's HTML reports.
#
#  1. gowrk vs wrk on the healthcheck, small (-c 100 -t 10) and large (-c 500 -t 50)
#  2. list and insert endpoints, both write modes, both tools (wrk with the Lua POST script);
#     gowrk's runs take the target's CPU profile too (--profile-target), go tool pprof -top in the summary
#  3. the pool-size experiment (pool 10 / 100 / default) on reads and writes
#  4. a breakpoint run on each endpoint
#  5. CPU per request, peak RSS and requests/s of gowrk and wrk on nginx (bench/generator.sh)
#  6. the target against pgbench on the same database (bench/target/run.sh, with gowrk)
#  7. a mixed run of list, single post and insert from bench/mixed.targets, per endpoint
#
# Environment: DURATION (5s per run), BREAKPOINT_DURATION (30s per ramp),
# SEED (10000 posts), SKIP (experiments to skip, e.g. "4 5").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
DURATION=${DURATION:-5s}
BREAKPOINT_DURATION=${BREAKPOINT_DURATION:-30s}
SEED=${SEED:-10000}
SKIP=${SKIP:-}
PORT=${PORT:-3000}
URL=http://127.0.0.1:$PORT

scripts/deps.sh bench
make -s build
out=bench/results/$(date +%Y-%m-%d-%H%M%S)
mkdir -p "$out"
summary=$out/summary.md
data=.data/bench
mkdir -p "$data"
target_pid=""
stop_target() {
	[ -z "$target_pid" ] && return 0
	kill "$target_pid" 2>/dev/null || true
	wait "$target_pid" 2>/dev/null || true
	target_pid=""
}
cleanup() {
	stop_target
	bin/localpg stop --dir "$data/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
skipped() { [[ " $SKIP " == *" $1 "* ]]; }

# start_target ARGS...: (re)starts the target with ARGS and waits for it.
start_target() {
	stop_target
	bin/target --listen "127.0.0.1:$PORT" "$@" >>"$out/target.log" 2>&1 &
	target_pid=$!
	wait_http "$URL/api"
}

# row LABEL TOOL CONNS THREADS PATH [SCRIPT]: one run, one table row.
# With PROFILE=1, gowrk also takes the target's CPU profile (a target
# started with --pprof) into the row's .target.pprof, beside its report.
row() {
	local label=$1 tool=$2 c=$3 t=$4 path=$5 script=${6:-} bin=$2 args=()
	[ "$tool" = gowrk ] && bin=bin/gowrk
	[ -n "$script" ] && args=(-s "$script")
	local file="$out/$(echo "$label-$tool" | tr ' /' '__').txt"
	[ "$tool" = gowrk ] && [ "${PROFILE:-}" = 1 ] && args+=(--report "${file%.txt}.html" --profile-target "$URL/debug/pprof/")
	"$bin" -c "$c" -t "$t" -d "$DURATION" --latency "${args[@]}" "$URL$path" >"$file"
	read -r rps p50 p99 errors < <(wrk_summary "$file")
	echo "| $label | $tool | -c $c -t $t | $rps | $p50 | $p99 | $errors |" >>"$summary"
}

# profile_tops TITLE: the head of go tool pprof -top of each target
# profile taken since the last call, the whole listing beside each.
profile_tops() {
	printf '\n### %s\n' "$1" >>"$summary"
	for f in "$out"/*.target.pprof; do
		[ -e "$f" ] && [ ! -e "${f%.pprof}.top.txt" ] || continue
		go tool pprof -top "$f" >"${f%.pprof}.top.txt" 2>&1 || true
		printf '\n%s\n\n```\n' "$(basename "$f")" >>"$summary"
		head -n 20 "${f%.pprof}.top.txt" >>"$summary"
		printf '```\n' >>"$summary"
	done
}

table_head() {
	printf '\n## %s\n\n| run | tool | setting | req/s | p50 | p99 | errors |\n|---|---|---|---|---|---|---|\n' "$1" >>"$summary"
}

{
	echo "# gowrk bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; PostgreSQL, the target and the generator share it."
	echo "Each run lasts $DURATION; $SEED posts seeded."
} >"$summary"

start_postgres "$data/pg"
bin/target seed -n "$SEED" >/dev/null

start_target
table_head "1. Healthcheck: gowrk vs wrk"
for setting in "100 10" "500 50"; do
	read -r c t <<<"$setting"
	for tool in gowrk wrk; do row "GET /api" "$tool" "$c" "$t" /api; done
done

table_head "2. List and insert, both write modes"
PROFILE=1
start_target --pprof
for tool in gowrk wrk; do row "GET /api/posts" "$tool" 64 2 /api/posts; done
for mode in direct batch; do
	start_target --pprof --write-mode "$mode"
	for tool in gowrk wrk; do row "POST /api/posts ($mode)" "$tool" 64 2 /api/posts bench/lua/post.lua; done
done
PROFILE=
profile_tops "The target's CPU in section 2 (gowrk --profile-target; go tool pprof -top)"

table_head "3. Pool size (gowrk, -c 500 as in the notes)"
for pool in 10 100 default; do
	args=()
	[ "$pool" = default ] || args=(--pool-size "$pool")
	start_target "${args[@]}"
	row "GET /api/posts, pool $pool" gowrk 500 2 /api/posts
	row "POST /api/posts, pool $pool" gowrk 500 2 /api/posts bench/lua/post.lua
done

if ! skipped 4; then
	start_target
	printf '\n## 4. Breakpoints (ramp over %s, stop on p99 > 500ms or errors > 1%%)\n\n' "$BREAKPOINT_DURATION" >>"$summary"
	for endpoint in "GET /api 1k:150k" "GET /api/posts 1k:40k" "POST /api/posts 1k:60k"; do
		read -r method path range <<<"$endpoint"
		args=()
		[ "$method" = POST ] && args=(-s bench/lua/post.lua)
		name=$(echo "breakpoint-$method$path" | tr '/' '_')
		bin/gowrk -c 500 -t 2 -d "$BREAKPOINT_DURATION" --breakpoint "$range" --quiet \
			--report "$out/$name.html" --json "$out/$name.json" "${args[@]}" "$URL$path" >"$out/$name.txt" || true
		{
			echo "### $method $path, ramp $range"
			echo
			echo '```'
			cat "$out/$name.txt"
			echo '```'
			echo
		} >>"$summary"
	done
fi

if ! skipped 7; then
	start_target
	printf '\n## 7. Mixed workload: list, single post, insert (bench/mixed.targets, -c 64 -t 2)\n\n```\n' >>"$summary"
	bin/gowrk -c 64 -t 2 -d "$DURATION" --targets bench/mixed.targets --by-endpoint --error-reasons --quiet \
		--report "$out/mixed.html" --json "$out/mixed.json" "$URL/" | tee "$out/mixed.txt" >>"$summary"
	printf '```\n' >>"$summary"
fi
stop_target

if ! skipped 5; then
	printf '\n## 5. Generators on a fixed nginx target (CPU 0 server, CPU 1 generator)\n\n' >>"$summary"
	ROUNDS=${ROUNDS:-3} DURATION=${GEN_DURATION:-5s} OUT="$out/generator.md" bench/generator.sh
	cat "$out/generator.md" >>"$summary"
fi

if ! skipped 6; then
	printf '\n## 6. The target against pgbench (bench/target/run.sh)\n\n```\n' >>"$summary"
	GOWRK=$PWD/bin/gowrk OUT="$PWD/$out/target" bench/target/run.sh 2>"$out/target-bench.log" | tee -a "$summary"
	printf '```\n' >>"$summary"
fi

echo "results in $out"
cat "$summary"
