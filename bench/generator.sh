#!/usr/bin/env bash
# Compares gowrk with the real wrk (and with wrk2 at a constant rate) on a
# fixed target: nginx with one worker pinned to CPU 0 returning a 3-byte
# body, each generator pinned to CPU 1, in alternating rounds. Prints, per
# setting, requests/s, CPU microseconds per request (user+sys), peak RSS,
# latency and the gowrk/reference ratios (medians) as a markdown table, then
# latency accuracy against a server with a fixed delay.
#
# Environment: ROUNDS (3), DURATION (10s; RATE_DURATION 20s for -R rows, as
# wrk2 calibrates for its first 10 s), SETTINGS (space-separated
# connections:threads[:path[:rate]]; /static/4k is a 4 KiB body, /static/1m
# 1 MiB; a rate compares with wrk2, skipped when WRK2 is missing), WRK2
# (../shared/tools/wrk2/wrk2), ACCURACY (1: the fixed-delay rows), OUT (also
# write the table to this file), GOWRK_ENGINE (passed to gowrk); the
# HTTP/2, HTTP/3 and many-connection sections below have their own.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
RATE_DURATION=${RATE_DURATION:-20s}
SETTINGS=${SETTINGS:-"100:1 1000:1 10000:1 100:2 1000:2 10000:2 100:1:/static/4k 10:1:/static/1m 100:1:/:20000 100:1:/:60000"}
ACCURACY=${ACCURACY:-1}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
WRK2=${WRK2:-$PWD/../shared/tools/wrk2/wrk2}

scripts/deps.sh bench
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
mkdir -p bin
# Built as the Makefile and the release build it: static, with default.pgo.
CGO_ENABLED=0 go build -o bin/gowrk ./cmd/gowrk
GOWRK=$PWD/bin/gowrk

work=$(mktemp -d)
chmod 755 "$work" # nginx's worker runs as another user
trap 'kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true; [ -z "${delay_pid:-}" ] || kill "$delay_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/tmp" "$work/html/static"
# Written whole first: a pipe into head would end base64 with SIGPIPE,
# which pipefail turns into the script's failure.
head -c 3072 /dev/urandom | base64 -w 64 >"$work/4k.b64"
head -c 4096 "$work/4k.b64" >"$work/html/static/4k"
head -c 1048576 /dev/zero | tr '\0' x >"$work/html/static/1m"
ulimit -n "$(ulimit -Hn)"
taskset -c "$SERVER_CPU" nginx -p "$work" -c "$PWD/bench/nginx.conf" &
for _ in $(seq 50); do curl -fs http://127.0.0.1:18080/ >/dev/null 2>&1 && break; sleep 0.1; done
BASE=http://127.0.0.1:18080

# run_figures OUTPUT -> "requests rps cpu_us_per_req rss_kb p50 p99" from a
# run's report (wrk's, gowrk's or h2load's, which has no percentiles) and
# /usr/bin/time's TIME line.
run_figures() {
	awk -v out="$1" 'BEGIN {
		n = split(out, lines, "\n")
		for (i = 1; i <= n; i++) {
			split(lines[i], f, " ")
			if (lines[i] ~ / requests in /) req = f[1]
			if (lines[i] ~ /^Requests\/sec:/) rps = f[2]
			if (lines[i] ~ /^requests: /) req = f[8]
			if (lines[i] ~ /^finished in /) { rps = f[4]; sub(/,/, "", rps) }
			if (lines[i] ~ /^ +50(\.0+)?%/ && p50 == "") p50 = f[2]
			if (lines[i] ~ /^ +99(\.0+)?%/ && p99 == "") p99 = f[2]
			if (f[1] == "TIME") { cpu = f[2] + f[3]; rss = f[4] }
		}
		printf "%d %.0f %.2f %d %s %s\n", req, rps, (req ? cpu * 1e6 / req : 0), rss, p50, p99
	}'
}

# measure TOOL CONNS THREADS [PATH] -> "requests rps cpu_us_per_req rss_kb p50 p99"
# TOOL is gowrk, wrk or wrk2; EXTRA holds more flags (e.g. "-R 20000").
measure() {
	local tool=$1 c=$2 t=$3 path=${4:-/} bin out
	case $tool in
	gowrk) bin=$GOWRK ;;
	wrk2) bin=$WRK2 ;;
	*) bin=wrk ;;
	esac
	# shellcheck disable=SC2086 # EXTRA is a list of flags
	out=$( { /usr/bin/time -f "TIME %U %S %M" taskset -c "$CLIENT_CPU" "$bin" -c "$c" -t "$t" -d "$DURATION" --latency ${EXTRA:-} "${BASE}$path"; } 2>&1)
	run_figures "$out"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# spread prints the smallest and largest of a column, to show the noise.
spread() { sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s–%s", lo, hi}'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}'; }

table="| setting | tool | req/s | CPU µs/req (range) | peak RSS MB | p50 | p99 |
|---|---|---|---|---|---|---|"
n=0
for s in $SETTINGS; do
	IFS=: read -r c t path rate <<<"$s"
	path=${path:-/}
	ref=wrk extra="" duration=$DURATION label="-c $c -t $t"
	[ "$path" = / ] || label+=" $path"
	if [ -n "$rate" ]; then
		if [ ! -x "$WRK2" ]; then
			echo "skipping $s: no wrk2 at $WRK2" >&2
			continue
		fi
		ref=wrk2 extra="-R $rate" duration=$RATE_DURATION label+=" -R $rate"
	fi
	n=$((n + 1))
	: >"$work/gowrk.$n" && : >"$work/$ref.$n"
	for r in $(seq "$ROUNDS"); do
		for tool in gowrk $ref; do
			m=$(EXTRA=$extra DURATION=$duration measure "$tool" "$c" "$t" "$path")
			echo "round $r $label $tool: $m" >&2
			echo "$m" >>"$work/$tool.$n"
		done
	done
	for tool in gowrk $ref; do
		f=$work/$tool.$n
		rps=$(awk '{print $2}' "$f" | median)
		cpu=$(awk '{print $3}' "$f" | median)
		rss=$(awk '{print $4}' "$f" | median)
		eval "${tool}_rps=$rps ${tool}_cpu=$cpu ${tool}_rss=$rss"
		table+=$'\n'"| $label | $tool | $rps | $cpu ($(awk '{print $3}' "$f" | spread)) | $(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}') | $(awk '{print $5}' "$f" | tail -1) | $(awk '{print $6}' "$f" | tail -1) |"
	done
	ref_rps=${ref}_rps ref_cpu=${ref}_cpu ref_rss=${ref}_rss
	table+=$'\n'"| $label | gowrk/$ref | $(ratio "$gowrk_rps" "${!ref_rps}") | $(ratio "$gowrk_cpu" "${!ref_cpu}") | $(ratio "$gowrk_rss" "${!ref_rss}") | | |"
done

if [ "$ACCURACY" = 1 ]; then
	# A server that answers every request after a fixed delay taken from the
	# path (/1ms, /10ms), to within microseconds (bench/delayserver), pinned
	# like nginx: both generators must report the same latency.
	CGO_ENABLED=0 go build -o "$work/delayserver" ./bench/delayserver
	taskset -c "$SERVER_CPU" "$work/delayserver" -addr 127.0.0.1:18081 &
	delay_pid=$!
	for _ in $(seq 50); do curl -fs http://127.0.0.1:18081/0ms >/dev/null 2>&1 && break; sleep 0.1; done
	table+=$'\n\n'"| fixed delay (-c 10 -t 1) | tool | req/s | p50 | p99 | gowrk/wrk p50 | gowrk/wrk p99 |
|---|---|---|---|---|---|---|"
	for d in 1ms 10ms; do
		: >"$work/gowrk.$d" && : >"$work/wrk.$d"
		for r in $(seq "$ROUNDS"); do
			for tool in gowrk wrk; do
				m=$(BASE=http://127.0.0.1:18081 measure "$tool" 10 1 "/$d")
				echo "round $r delay $d $tool: $m" >&2
				echo "$m" | awk '{
					# µs from wrk units
					for (i = 5; i <= 6; i++) { v = $i; u = (v ~ /us$/) ? 1 : (v ~ /ms$/) ? 1000 : 1e6; sub(/[a-z]+$/, "", v); $i = v * u }
					print
				}' >>"$work/$tool.$d"
			done
		done
		for tool in gowrk wrk; do
			f=$work/$tool.$d
			eval "${tool}_p50=$(awk '{print $5}' "$f" | median) ${tool}_p99=$(awk '{print $6}' "$f" | median)"
			table+=$'\n'"| $d | $tool | $(awk '{print $2}' "$f" | median) | $(eval echo "\$${tool}_p50")µs | $(eval echo "\$${tool}_p99")µs | | |"
		done
		table+=$'\n'"| $d | gowrk/wrk | | | | $(ratio "$gowrk_p50" "$wrk_p50") | $(ratio "$gowrk_p99" "$wrk_p99") |"
	done
fi

echo "$table"
[ -z "${OUT:-}" ] || echo "$table" >"$OUT"

# ---- Lua scripts -----------------------------------------------------------
# The same comparison for the scripts in bench/lua/ that keep Lua busy on
# every request: -t 1 -c 10, both tools on CLIENT_CPU. Environment: LUA (1;
# 0 skips this section), LUA_SCRIPTS ("random1k body8k status counter"),
# BASELINE (another gowrk binary to measure as "baseline", e.g. an older
# build, to show a change's effect).
if [ "${LUA:-1}" = 1 ]; then
	# measure_lua BIN SCRIPT -> run_figures' "requests rps cpu_us_per_req rss_kb p50 p99"
	measure_lua() {
		local bin=$1 script=$2 out
		out=$( { /usr/bin/time -f "TIME %U %S %M" taskset -c "$CLIENT_CPU" "$bin" -c 10 -t 1 -d "$DURATION" --latency -s "bench/lua/$script.lua" "$BASE/"; } 2>&1)
		run_figures "$out"
	}
	tools="gowrk wrk"
	[ -z "${BASELINE:-}" ] || tools="gowrk baseline wrk"
	lua_table="| script | tool | req/s | CPU µs/req | peak RSS MB | p50 |
|---|---|---|---|---|---|"
	for script in ${LUA_SCRIPTS:-random1k body8k status counter}; do
		for tool in $tools; do : >"$work/lua.$script.$tool"; done
		for r in $(seq "$ROUNDS"); do
			for tool in $tools; do
				case $tool in gowrk) bin=$GOWRK ;; baseline) bin=$BASELINE ;; wrk) bin=wrk ;; esac
				m=$(measure_lua "$bin" "$script")
				echo "round $r lua $script $tool: $m" >&2
				echo "$m" >>"$work/lua.$script.$tool"
			done
		done
		for tool in $tools; do
			f=$work/lua.$script.$tool
			rps=$(awk '{print $2}' "$f" | median)
			cpu=$(awk '{print $3}' "$f" | median)
			rss=$(awk '{print $4}' "$f" | median)
			eval "lua_${tool}_rps=$rps lua_${tool}_cpu=$cpu"
			lua_table+=$'\n'"| $script | $tool | $rps | $cpu | $(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}') | $(awk '{print $5}' "$f" | tail -1) |"
		done
		lua_table+=$'\n'"| $script | gowrk/wrk | $(awk -v a="$lua_gowrk_rps" -v b="$lua_wrk_rps" 'BEGIN{printf "%.2f", a/b}') | $(awk -v a="$lua_gowrk_cpu" -v b="$lua_wrk_cpu" 'BEGIN{printf "%.2f", a/b}') | | |"
		if [ -n "${BASELINE:-}" ]; then
			lua_table+=$'\n'"| $script | gowrk/baseline | $(awk -v a="$lua_gowrk_rps" -v b="$lua_baseline_rps" 'BEGIN{printf "%.2f", a/b}') | $(awk -v a="$lua_gowrk_cpu" -v b="$lua_baseline_cpu" 'BEGIN{printf "%.2f", a/b}') | | |"
		fi
	done
	echo
	echo "$lua_table"
	[ -z "${OUT:-}" ] || { echo; echo "$lua_table"; } >>"$OUT"
fi

# ---- HTTP/2 -----------------------------------------------------------------
# HTTP/2: gowrk --http2 against h2load (nghttp2), the reference HTTP/2
# generator, over h2c on a second nginx pinned like the first. H2 (1) turns
# it on; H2_SETTINGS ("50:1 50:10", connections:streams) are gowrk's -c and
# --streams and h2load's -c and -m, one thread each.
if [ "${H2:-1}" = 1 ]; then
	command -v h2load >/dev/null || { echo "h2load missing: scripts/deps.sh bench installs nghttp2-client" >&2; exit 1; }
	taskset -c "$SERVER_CPU" nginx -p "$work" -c "$PWD/bench/nginx-h2.conf" &
	for _ in $(seq 50); do curl -fs --http2-prior-knowledge http://127.0.0.1:18082/ >/dev/null 2>&1 && break; sleep 0.1; done
	trap 'kill $(cat "$work/nginx.pid" "$work/nginx-h2.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
	H2URL=http://127.0.0.1:18082/
	# measure_h2 TOOL CONNS STREAMS -> run_figures' (no percentiles from h2load)
	measure_h2() {
		local tool=$1 c=$2 m=$3 out secs=${DURATION%s}
		if [ "$tool" = gowrk ]; then
			out=$( { /usr/bin/time -f "TIME %U %S %M" taskset -c "$CLIENT_CPU" "$GOWRK" --http2 --streams "$m" -c "$c" -t 1 -d "$DURATION" "$H2URL"; } 2>&1)
		else
			out=$( { /usr/bin/time -f "TIME %U %S %M" taskset -c "$CLIENT_CPU" h2load -c "$c" -m "$m" -t 1 -D "$secs" "$H2URL"; } 2>&1)
		fi
		run_figures "$out"
	}
	h2table="| HTTP/2 setting | tool | req/s | CPU µs/req | peak RSS MB |
|---|---|---|---|---|"
	for s in ${H2_SETTINGS:-50:1 50:10}; do
		IFS=: read -r c m <<<"$s"
		: >"$work/h2.gowrk" && : >"$work/h2.h2load"
		for r in $(seq "$ROUNDS"); do
			for tool in gowrk h2load; do
				v=$(measure_h2 "$tool" "$c" "$m")
				echo "round $r http2 -c $c streams $m $tool: $v" >&2
				echo "$v" >>"$work/h2.$tool"
			done
		done
		label="-c $c --streams $m"
		for tool in gowrk h2load; do
			f=$work/h2.$tool
			rps=$(awk '{print $2}' "$f" | median)
			cpu=$(awk '{print $3}' "$f" | median)
			rss=$(awk '{print $4}' "$f" | median)
			eval "h2_${tool}_rps=$rps h2_${tool}_cpu=$cpu"
			h2table+=$'\n'"| $label | $tool | $rps | $cpu | $(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}') |"
		done
		h2table+=$'\n'"| $label | gowrk/h2load | $(awk -v a="$h2_gowrk_rps" -v b="$h2_h2load_rps" 'BEGIN{printf "%.2f", a/b}') | $(awk -v a="$h2_gowrk_cpu" -v b="$h2_h2load_cpu" 'BEGIN{printf "%.2f", a/b}') | |"
	done
	echo
	echo "$h2table"
	[ -z "${OUT:-}" ] || { echo; echo "$h2table"; } >>"$OUT"
fi

# ---- HTTP/3 -----------------------------------------------------------------
# HTTP/3: gowrk --http3 against gowrk --http2 over TLS on the same Caddy
# (bench/Caddyfile: HTTP/1.1, HTTP/2 and HTTP/3 on one port), pinned like
# nginx. Debian's h2load is built without QUIC, so it has no HTTP/3 row.
# H3 (1) turns it on; H3_SETTINGS ("10:1 50:1 50:10", connections:streams).
if [ "${H3:-1}" = 1 ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
		-addext subjectAltName=DNS:localhost -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
	CERT=$work/cert.pem KEY=$work/key.pem taskset -c "$SERVER_CPU" caddy run --config bench/Caddyfile --adapter caddyfile >"$work/caddy.log" 2>&1 &
	caddy_pid=$!
	trap 'kill $(cat "$work"/nginx*.pid 2>/dev/null) "$caddy_pid" ${delay_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT
	for _ in $(seq 50); do curl -fs --cacert "$work/cert.pem" https://localhost:18443/ >/dev/null 2>&1 && break; sleep 0.1; done
	# measure_tls PROTOCOL CONNS STREAMS -> run_figures'
	measure_tls() {
		local out
		out=$( { /usr/bin/time -f "TIME %U %S %M" taskset -c "$CLIENT_CPU" "$GOWRK" "--$1" --streams "$3" -c "$2" -t 1 -d "$DURATION" \
			--verify --cacert "$work/cert.pem" https://localhost:18443/; } 2>&1)
		run_figures "$out"
	}
	h3table="| HTTP/3 setting (Caddy) | protocol | req/s | CPU µs/req | peak RSS MB |
|---|---|---|---|---|"
	for s in ${H3_SETTINGS:-10:1 50:1 50:10}; do
		IFS=: read -r c m <<<"$s"
		: >"$work/h3.http3" && : >"$work/h3.http2"
		for r in $(seq "$ROUNDS"); do
			for proto in http3 http2; do
				v=$(measure_tls "$proto" "$c" "$m")
				echo "round $r $proto -c $c streams $m: $v" >&2
				echo "$v" >>"$work/h3.$proto"
			done
		done
		label="-c $c --streams $m"
		for proto in http3 http2; do
			f=$work/h3.$proto
			rps=$(awk '{print $2}' "$f" | median)
			cpu=$(awk '{print $3}' "$f" | median)
			rss=$(awk '{print $4}' "$f" | median)
			eval "h3_${proto}_rps=$rps h3_${proto}_cpu=$cpu"
			h3table+=$'\n'"| $label | $proto | $rps | $cpu | $(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}') |"
		done
		h3table+=$'\n'"| $label | http3/http2 | $(ratio "$h3_http3_rps" "$h3_http2_rps") | $(ratio "$h3_http3_cpu" "$h3_http2_cpu") | |"
	done
	echo
	echo "$h3table"
	[ -z "${OUT:-}" ] || { echo; echo "$h3table"; } >>"$OUT"
fi

# ---- Many connections ---------------------------------------------------------
# HOLD_CONNS (100000) connections from HOLD_SOURCES (127.0.0.2-127.0.0.5,
# --source-addrs) to one nginx port (bench/nginx-many.conf) at a low rate
# (HOLD_RATE, 600/s in all): how many are established (ss) and gowrk's
# resident memory per connection. A process holds at most its open-file
# limit, so the connections are split over as many gowrk processes (and
# nginx workers) as that limit needs. HOLD (1) turns it on.
if [ "${HOLD:-1}" = 1 ]; then
	conns=${HOLD_CONNS:-100000}
	per=$(($(ulimit -Hn) - 500))
	procs=$(((conns + per - 1) / per))
	taskset -c "$SERVER_CPU" nginx -p "$work" -c "$PWD/bench/nginx-many.conf" -g "worker_processes $(((conns + 18999) / 19000));" &
	for _ in $(seq 50); do curl -fs http://127.0.0.1:18084/ >/dev/null 2>&1 && break; sleep 0.1; done
	established() { ss -Htn state established '( dport = :18084 )' | wc -l; }
	start=$(date +%s.%N)
	pids=""
	for i in $(seq "$procs"); do
		c=$((conns / procs + (i <= conns % procs ? 1 : 0)))
		taskset -c "$CLIENT_CPU" "$GOWRK" -c "$c" -t 1 -R $((${HOLD_RATE:-600} / procs)) -d 10m \
			--source-addrs "${HOLD_SOURCES:-127.0.0.2-127.0.0.5}" http://127.0.0.1:18084/ >"$work/hold.$i" 2>&1 &
		pids+=" $!"
	done
	for _ in $(seq 600); do
		[ "$(established)" -ge "$conns" ] && break
		sleep 0.5
	done
	held=$(established)
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}')
	sleep 5
	rss=0
	# shellcheck disable=SC2086 # pids is a list
	for p in $pids; do rss=$((rss + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done
	held_after=$(established)
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null || true
	wait $pids 2>/dev/null || true
	kill "$(cat "$work/nginx-many.pid")" 2>/dev/null || true
	holdtable="| connections asked | source addresses | gowrk processes | established | after 5 s more | seconds to establish | gowrk RSS KB per connection |
|---|---|---|---|---|---|---|
| $conns | ${HOLD_SOURCES:-127.0.0.2-127.0.0.5} | $procs | $held | $held_after | $secs | $(awk -v r="$rss" -v n="$held_after" 'BEGIN{printf "%.2f", (n ? r / n : 0)}') |"
	echo
	echo "$holdtable"
	[ -z "${OUT:-}" ] || { echo; echo "$holdtable"; } >>"$OUT"
fi

# ---- Shards -----------------------------------------------------------------
# One workload over SHARDS (4) gowrk processes on loopback, as an Indexed
# Job runs it: each `--shard i/N` of `-R SHARD_RATE -c SHARD_CONNS`, one
# --start-at, the interval log on stdout (--hdr-log -), merged with
# `gowrk merge --strict -` from the outputs put end to end; then one process
# runs the whole workload. Shows each shard's rate and start offset, the
# merge's start skew, and the merged count and p99 beside the single
# process's. SHARD (1) turns it on; SHARD_DURATION (10s); SHARD_CPUS
# (CLIENT_CPU), the CPUs the shards and the single process run on.
if [ "${SHARD:-1}" = 1 ]; then
	n=${SHARDS:-4}
	rate=${SHARD_RATE:-20000}
	sconns=${SHARD_CONNS:-100}
	sdur=${SHARD_DURATION:-10s}
	at=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%S.%NZ)
	pids=""
	for i in $(seq "$n"); do
		taskset -c "${SHARD_CPUS:-$CLIENT_CPU}" "$GOWRK" -c "$sconns" -t 1 -R "$rate" -d "$sdur" --latency -q \
			--shard "$i/$n" --start-at "$at" --hdr-log - --json "$work/shard.$i.json" "$BASE/" >"$work/shard.$i" 2>&1 &
		pids+=" $!"
	done
	# shellcheck disable=SC2086 # pids is a list
	wait $pids
	shardtable="| shard | connections | requests/s sent | start offset ms |
|---|---|---|---|"
	for i in $(seq "$n"); do
		c=$(awk '/threads and/ {print $4}' "$work/shard.$i")
		r=$(awk '/^Requests\/sec:/ {print $2}' "$work/shard.$i")
		off=$(awk -F': ' '/"start_offset_s"/ {gsub(/,/, "", $2); printf "%.2f", $2 * 1000}' "$work/shard.$i.json")
		shardtable+="
| $i/$n | $c | $r | $off |"
	done
	cat "$work"/shard.[0-9]* | "$GOWRK" merge --strict --latency - >"$work/merged"
	skew=$(awk '/started within/ {print $3}' "$work/merged")
	taskset -c "${SHARD_CPUS:-$CLIENT_CPU}" "$GOWRK" -c "$sconns" -t 1 -R "$rate" -d "$sdur" --latency -q "$BASE/" >"$work/whole" 2>&1
	read -r mreq mrps _ _ _ mp99 <<<"$(run_figures "$(cat "$work/merged")")"
	read -r wreq wrps _ _ _ wp99 <<<"$(run_figures "$(cat "$work/whole")")"
	shardtable+="

| run | requests | requests/s | p99 | start skew |
|---|---|---|---|---|
| $n shards, merged | $mreq | $mrps | $mp99 | $skew |
| one process | $wreq | $wrps | $wp99 | |"
	echo
	echo "$shardtable"
	[ -z "${OUT:-}" ] || { echo; echo "$shardtable"; } >>"$OUT"
fi
