#!/usr/bin/env bash
# Installs the system packages gowrk's tests, demo and bench use, from
# Debian's packages, when they are missing. Usage: scripts/deps.sh [test|demo|bench]
set -euo pipefail
purpose=${1:-test}

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
pg_have() { have initdb || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }

have make || missing+=(make)
have curl || missing+=(curl)
have wrk || missing+=(wrk)
pg_have || missing+=(postgresql)
have pgbench || missing+=(postgresql-contrib)
case "$purpose" in
test)
	have chromium || missing+=(chromium)
	have tmux || missing+=(tmux)
	# HdrHistogram's Java library reads --hdr-log output as a third party.
	have java || missing+=(default-jre-headless)
	[ -f /usr/share/java/hdrhistogram.jar ] || missing+=(libhdrhistogram-java)
	# The HTTP/2, TLS, unix socket, proxy, targets, stages and error-reason
	# tests run against nginx; h2load is the reference for HTTP/2 counts.
	have nginx || missing+=(nginx-light)
	have h2load || missing+=(nghttp2-client)
	# The HTTP/3 tests run against Caddy, which serves h3.
	have caddy || missing+=(caddy)
	# --prometheus-rw is tested against a real Prometheus's receiver.
	have prometheus || missing+=(prometheus)
	;;
bench)
	have nginx || missing+=(nginx-light)
	have chromium || missing+=(chromium)
	# h2load, the reference for the HTTP/2 rows; Caddy for HTTP/3's.
	have h2load || missing+=(nghttp2-client)
	have caddy || missing+=(caddy)
	# The HTTP/3 rows' certificate, and the many-connection row's count.
	have openssl || missing+=(openssl)
	have ss || missing+=(iproute2)
	;;
esac

if ((${#missing[@]})); then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	echo "installing: ${missing[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
