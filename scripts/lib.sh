# Shell helpers shared by the demo and the bench scripts. Source it.

# wrk_summary FILE: prints "req/s p50 p99 errors" from a wrk or gowrk report
# made with --latency; errors are socket errors plus non-2xx/3xx responses.
wrk_summary() {
	awk '
		/^Requests\/sec:/ { rps = $2 }
		/^ +50(\.000)?%/ { p50 = $2 }
		/^ +99(\.000)?%/ { p99 = $2 }
		/Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx responses:/ { err += $5 }
		END { printf "%s %s %s %d\n", rps ? rps : "-", p50 ? p50 : "-", p99 ? p99 : "-", err }
	' "$1"
}

# wait_http URL [tries]: waits until URL answers.
wait_http() {
	local url=$1 tries=${2:-100}
	for _ in $(seq "$tries"); do
		curl -fs -o /dev/null "$url" && return 0
		sleep 0.1
	done
	echo "no answer from $url" >&2
	return 1
}

# start_postgres DIR: starts the throwaway PostgreSQL in DIR with the
# project's helper and exports DATABASE_URL.
start_postgres() {
	local line
	line=$(bin/localpg start --dir "$1")
	export DATABASE_URL=${line#DATABASE_URL=}
}
