#!/usr/bin/env bash
# Benchmarks the target API on a throwaway local PostgreSQL, beside pgbench
# on the same database as the reference, and prints one table.
#
#   bench/target/run.sh
#
# Steps: build cmd/target and cmd/localpg; start PostgreSQL (durable:
# fsync and synchronous_commit on); seed; pgbench the SELECT behind
# GET /api/posts and the single-row INSERT (16 clients); start the target
# pinned with taskset; load GET /api, GET /api/posts and POST /api/posts
# (batch mode, then direct mode) with the HTTP load generator, taking a CPU
# profile of the target during each run; optionally nginx on the same core
# for GET /api. Everything started is stopped on exit.
#
# Knobs (environment):
#   GOWRK=path        HTTP load generator with wrk's CLI and output (default: wrk)
#   DURATION=10s      each HTTP run          PGBENCH_SECS=10   each pgbench run
#   CONNS=64 THREADS=2                       PGBENCH_CLIENTS=16
#   SEED=100000       posts seeded before the runs
#   TARGET_CPUS=1     taskset list for the target (and nginx); empty: unpinned
#   LOAD_CPUS=0       taskset list for the load generator; empty: unpinned
#   PGBENCH_CPUS=     taskset list for pgbench; empty (default): unpinned
#   TARGET_ARGS=      extra target flags, e.g. "--pool-size 8"
#   PROFILE=1         CPU profile per run into $OUT (needs go for the summary)
#   NGINX=1           compare GET /api with nginx on TARGET_CPUS (if installed)
#   OUT=/var/tmp/gowrk-bench-target   where outputs and profiles go
#   KEEP=0            1 keeps the work dir (PostgreSQL cluster, logs)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/target
LOADGEN=${GOWRK:-wrk}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
PGBENCH_SECS=${PGBENCH_SECS:-10}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-16}
SEED=${SEED:-100000}
TARGET_CPUS=${TARGET_CPUS-1}
LOAD_CPUS=${LOAD_CPUS-0}
PGBENCH_CPUS=${PGBENCH_CPUS:-}
TARGET_ARGS=${TARGET_ARGS:-}
PROFILE=${PROFILE:-1}
NGINX=${NGINX:-1}
OUT=${OUT:-/var/tmp/gowrk-bench-target}
KEEP=${KEEP:-0}
WORK=$(mktemp -d /var/tmp/gowrk-bench-work.XXXXXX)
chmod 755 "$WORK" # the postgres user must reach the cluster inside

TARGET_PID=
NGINX_PID=

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

cleanup() {
	local rc=$?
	set +e
	[[ -n $TARGET_PID ]] && kill -TERM "$TARGET_PID" 2>/dev/null && wait "$TARGET_PID" 2>/dev/null
	[[ -n $NGINX_PID ]] && kill -QUIT "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	[[ -x $WORK/bin/localpg ]] && "$WORK/bin/localpg" stop --dir "$WORK/pg" >/dev/null
	if [[ $KEEP == 1 ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# pin CPUS CMD...: run CMD restricted to CPUS (unrestricted when empty).
pin() {
	local cpus=$1
	shift
	if [[ -n $cpus ]]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

# pin_bg CPUS CMD... &: the same for a background job; exec makes $! the
# command's own pid, so signals reach it and not a wrapping subshell.
pin_bg() {
	local cpus=$1
	shift
	if [[ -n $cpus ]]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

command -v "$LOADGEN" >/dev/null || die "$LOADGEN not found (apt-get install -y wrk, or set GOWRK)"
command -v pgbench >/dev/null || die "pgbench not found (apt-get install -y postgresql)"
command -v taskset >/dev/null || die "taskset not found (apt-get install -y util-linux)"
mkdir -p "$OUT" "$WORK/bin"

log "building"
(cd "$ROOT" && go build -o "$WORK/bin/target" ./cmd/target && go build -o "$WORK/bin/localpg" ./cmd/localpg)

log "starting PostgreSQL"
url_line=$("$WORK/bin/localpg" start --dir "$WORK/pg")
export DATABASE_URL=${url_line#DATABASE_URL=}
"$WORK/bin/target" seed -n "$SEED" >&2

# --- reference: pgbench on the same database -------------------------------
pgbench_tps() { # name script
	pin "$PGBENCH_CPUS" pgbench -n -M prepared -c "$PGBENCH_CLIENTS" -j 2 -T "$PGBENCH_SECS" \
		-f "$HERE/$2" "$DATABASE_URL" >"$OUT/pgbench-$1.txt" 2>&1 || {
		cat "$OUT/pgbench-$1.txt" >&2
		die "pgbench $1 failed"
	}
	awk '/^tps = /{printf "%.0f", $3}' "$OUT/pgbench-$1.txt"
}
log "pgbench SELECT (${PGBENCH_CLIENTS} clients, ${PGBENCH_SECS}s)"
PG_SELECT=$(pgbench_tps select select.sql)
log "pgbench INSERT (${PGBENCH_CLIENTS} clients, ${PGBENCH_SECS}s)"
PG_INSERT=$(pgbench_tps insert insert.sql)

# --- the target -------------------------------------------------------------
start_target() { # write-mode
	local logf=$WORK/target-$1.log addr=
	# shellcheck disable=SC2086 # TARGET_ARGS is a list of flags
	pin_bg "$TARGET_CPUS" "$WORK/bin/target" --listen 127.0.0.1:0 --write-mode "$1" --pprof $TARGET_ARGS 2>"$logf" &
	TARGET_PID=$!
	for _ in $(seq 100); do
		addr=$(sed -n 's/.*msg=listening addr=\([^ ]*\).*/\1/p' "$logf")
		[[ -n $addr ]] && break
		kill -0 "$TARGET_PID" 2>/dev/null || { cat "$logf" >&2; die "target exited"; }
		sleep 0.1
	done
	[[ -n $addr ]] || die "target did not start"
	BASE=http://$addr
	log "target ($1 mode) at $BASE: $(grep -o 'pool_size=[0-9]*' "$logf")"
}

stop_target() {
	kill -TERM "$TARGET_PID"
	local rc=0
	wait "$TARGET_PID" || rc=$?
	TARGET_PID=
	((rc == 0)) || die "target exited with status $rc after SIGTERM"
}

declare -A RPS P50 P99 ERRS
secs=${DURATION%s}

# load NAME URL [loadgen args...]: one HTTP run, profiled when PROFILE=1.
load() {
	local name=$1 url=$2 prof_pid=
	shift 2
	log "$LOADGEN -t$THREADS -c$CONNS -d$DURATION $* $url"
	if [[ $PROFILE == 1 ]] && ((secs > 4)); then
		curl -s -o "$OUT/$name.pprof" "$BASE/debug/pprof/profile?seconds=$((secs - 3))" &
		prof_pid=$!
	fi
	pin "$LOAD_CPUS" "$LOADGEN" -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" "$url" >"$OUT/$name.txt" 2>&1 ||
		{ cat "$OUT/$name.txt" >&2; die "load run $name failed"; }
	[[ -n $prof_pid ]] && wait "$prof_pid"
	RPS[$name]=$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$OUT/$name.txt")
	P50[$name]=$(awk '$1=="50%"{print $2}' "$OUT/$name.txt")
	P99[$name]=$(awk '$1=="99%"{print $2}' "$OUT/$name.txt")
	ERRS[$name]=$(awk '/Non-2xx/{n+=$NF} /Socket errors/{gsub(",", ""); n+=$4+$6+$8+$10} END{print n+0}' "$OUT/$name.txt")
}

start_target batch
load health "$BASE/api"
load list "$BASE/api/posts"
# How much the read pipelining shared: reads per PostgreSQL round trip.
PIPELINE=$(curl -s "$BASE/debug/pool" | tee "$OUT/pool-after-list.json" |
	sed -n 's/.*"pipelined_reads":\([0-9]*\),"read_round_trips":\([0-9]*\).*/\1 \2/p' |
	awk '$2 > 0 {printf "%d reads in %d round trips (%.1f per trip)", $1, $2, $1 / $2}')
load post-batch "$BASE/api/posts" -s "$HERE/post.lua"
stop_target

start_target direct
load post-direct "$BASE/api/posts" -s "$HERE/post.lua"
stop_target

# --- nginx on the same core, for GET /api ------------------------------------
NGINX_RPS=
if [[ $NGINX == 1 ]] && command -v nginx >/dev/null; then
	port=$(( (RANDOM % 20000) + 30000 ))
	while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
	mkdir -p "$WORK/nginx"
	cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	keepalive_requests 100000000;
	client_body_temp_path $WORK/nginx/body;
	proxy_temp_path $WORK/nginx/proxy;
	fastcgi_temp_path $WORK/nginx/fastcgi;
	uwsgi_temp_path $WORK/nginx/uwsgi;
	scgi_temp_path $WORK/nginx/scgi;
	server {
		listen 127.0.0.1:$port;
		location = /api { default_type application/json; return 200 '{"status":"ok"}'; }
	}
}
EOF
	pin_bg "$TARGET_CPUS" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
	NGINX_PID=$!
	for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
	BASE=http://127.0.0.1:$port PROFILE=0 load nginx "http://127.0.0.1:$port/api"
	kill -QUIT "$NGINX_PID"
	wait "$NGINX_PID" || true
	NGINX_PID=
	NGINX_RPS=${RPS[nginx]}
fi

# --- report -------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "-" }'; }
verdict() { awk -v ok="$1" 'BEGIN{ print (ok ? "PASS" : "FAIL") }'; }

r_list=$(ratio "${RPS[list]}" "$PG_SELECT")
r_batch=$(ratio "${RPS[post-batch]}" "$PG_INSERT")
r_direct=$(ratio "${RPS[post-direct]}" "$PG_INSERT")
r_health=$(ratio "${RPS[health]}" "${NGINX_RPS:-0}")

echo
echo "target benchmark: $(nproc) CPUs; target on CPUs '${TARGET_CPUS:-all}', load on '${LOAD_CPUS:-all}', pgbench on '${PGBENCH_CPUS:-all}', PostgreSQL on all; $LOADGEN -t$THREADS -c$CONNS -d$DURATION"
echo "reference: pgbench -M prepared -c$PGBENCH_CLIENTS -T$PGBENCH_SECS: SELECT ${PG_SELECT} tps, INSERT ${PG_INSERT} tps${NGINX_RPS:+; nginx GET /api ${NGINX_RPS} req/s}"
echo
printf '%-22s %10s %10s %10s %8s   %-26s %s\n' endpoint req/s p50 p99 errors "vs reference" goal
printf '%-22s %10s %10s %10s %8s   %-26s %s\n' "GET /api" "${RPS[health]}" "${P50[health]}" "${P99[health]}" "${ERRS[health]}" \
	"${NGINX_RPS:+$r_health x nginx}" \
	"${NGINX_RPS:+>= 0.70 x nginx: $(verdict "$(awk -v r="$r_health" 'BEGIN{print (r >= 0.70)}')")}"
printf '%-22s %10s %10s %10s %8s   %-26s %s\n' "GET /api/posts" "${RPS[list]}" "${P50[list]}" "${P99[list]}" "${ERRS[list]}" \
	"$r_list x pgbench SELECT" \
	">= 10000 and >= 0.35 x: $(verdict "$(awk -v n="${RPS[list]}" -v r="$r_list" 'BEGIN{print (n >= 10000 && r >= 0.35)}')")"
printf '%-22s %10s %10s %10s %8s   %-26s %s\n' "POST /api/posts batch" "${RPS[post-batch]}" "${P50[post-batch]}" "${P99[post-batch]}" "${ERRS[post-batch]}" \
	"$r_batch x pgbench INSERT" \
	">= 5000 and >= 1.0 x: $(verdict "$(awk -v n="${RPS[post-batch]}" -v r="$r_batch" 'BEGIN{print (n >= 5000 && r >= 1.0)}')")"
printf '%-22s %10s %10s %10s %8s   %-26s %s\n' "POST /api/posts direct" "${RPS[post-direct]}" "${P50[post-direct]}" "${P99[post-direct]}" "${ERRS[post-direct]}" \
	"$r_direct x pgbench INSERT" "(reported)"
echo
[[ -n ${PIPELINE:-} ]] && echo "GET /api/posts read pipelining: $PIPELINE"
echo "raw outputs: $OUT"

if [[ $PROFILE == 1 ]] && command -v go >/dev/null; then
	for name in health list post-batch post-direct; do
		[[ -s $OUT/$name.pprof ]] || continue
		echo
		echo "--- CPU profile, $name (go tool pprof -top $OUT/$name.pprof) ---"
		go tool pprof -top -nodecount=12 "$WORK/bin/target" "$OUT/$name.pprof" 2>/dev/null | sed -n '4,20p'
	done
fi
