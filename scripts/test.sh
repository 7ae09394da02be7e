#!/usr/bin/env bash
# The test command: installs what the tests need, then vets and runs every
# test, with the race detector, then runs each fuzz target briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt needed: $unformatted" >&2
	exit 1
fi
go vet ./...
go test -race -timeout 15m ./... "$@"
scripts/fuzz.sh
