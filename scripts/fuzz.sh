#!/usr/bin/env bash
# Explores with every fuzz target for a while (FUZZTIME each, 30s by
# default). The test command runs each target on its checked-in corpus
# (testdata/fuzz, as go test does); this looks further, outside CI, and a
# failing input is saved under the package's testdata/fuzz, to be checked
# in with its fix. Add a target by adding a "package FuzzName" line below.
#
# Go before 1.27 can end a -fuzztime run with a bare "context deadline
# exceeded" when a busy machine delays a worker at the deadline
# (go.dev/issue/75804): nothing was found, so that ending alone, with no
# failing input written, counts as a pass.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(
	"./units FuzzParseTime"
	"./units FuzzParseMetric"
	"./threshold FuzzParse"
	"./cli FuzzParseURL"
	"./cli FuzzParseArgs"
	"./hdrlog FuzzOpen"
	"./hdrlog FuzzReadStream"
	"./target FuzzCreatePost"
	"./generator FuzzReadPath"
	"./generator FuzzParseSourceAddrs"
	"./generator/wire/h1 FuzzParseResponses"
	"./generator/wire/h1 FuzzResponseHeaders"
	"./generator/wire/h1 FuzzStaticRequest"
	"./generator/wire/h2 FuzzParseFrames"
	"./generator/wire/h3 FuzzParseResponse"
	"./luascript FuzzParseRequest"
	"./luascript FuzzCJSONDecode"
	"./luascript FuzzPattern"
	"./target FuzzAppendString"
	"./generator FuzzRedirectRequest"
	"./compare FuzzSamples"
	"./cli FuzzCompareReports"
	"./targetprofile FuzzSummarize"
)

fuzztime=${FUZZTIME:-30s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	echo "fuzz $pkg $name ($fuzztime)"
	if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" 2>&1 | tee "$out"; then
		continue
	fi
	if grep -q 'Failing input written' "$out" || ! grep -q '^    context deadline exceeded$' "$out" ||
		[ "$(grep -c -- '--- FAIL' "$out")" != 1 ]; then
		exit 1
	fi
	echo "fuzz $pkg $name: stopped by the fuzzing deadline with nothing found (go.dev/issue/75804)"
done
