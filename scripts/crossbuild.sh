#!/usr/bin/env bash
# Builds gowrk for every platform a release ships (scripts/platforms), so
# none breaks unseen. The binaries are thrown away.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in $(cat scripts/platforms); do
	CGO_ENABLED=0 GOOS=${p%/*} GOARCH=${p#*/} go build -pgo=off -o /dev/null ./cmd/gowrk ||
		{ echo "gowrk does not build for $p" >&2; exit 1; }
done
