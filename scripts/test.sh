#!/usr/bin/env bash
# The test command: installs what the tests need, checks formatting, module
# files, static analysis and every release platform's build, then vets and
# runs every test with the race detector, fuzz targets on their checked-in
# corpora. Exploratory fuzzing is scripts/fuzz.sh's, outside this command.
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
# Test helpers stay out of what ships (cmd/target's Fiber links testing itself).
if go list -deps ./cmd/gowrk ./cmd/localpg | grep -qx testing; then
	echo "bin/gowrk or bin/localpg links the testing package" >&2
	exit 1
fi
go vet ./...
# staticcheck 2026.2.2 (module v0.8.2), which supports the Go in go.mod.
go run "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION:-v0.8.2}" ./...
go test -race -timeout 15m ./... "$@"
