#!/usr/bin/env bash
# The test command: installs what the tests need, checks formatting, module
# files, static analysis and every release platform's build, then vets and
# runs every test, with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt needed: $unformatted" >&2
	exit 1
fi
if ! go mod tidy -diff; then
	echo "go.mod/go.sum are not tidy: run go mod tidy" >&2
	exit 1
fi
scripts/crossbuild.sh
go vet ./...
go run "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION:-2026.2.2}" ./...
go test -race -timeout 15m ./... "$@"
