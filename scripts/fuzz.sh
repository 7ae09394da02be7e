#!/usr/bin/env bash
# Runs every fuzz target for a short while (FUZZTIME, 3s by default): the
# seed corpora run with the ordinary tests; this looks a little further.
# A failing input is saved under the package's testdata/fuzz and fails the
# script. Add a target by adding a "package FuzzName" line below.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(
	"./units FuzzParseTime"
	"./units FuzzParseMetric"
	"./threshold FuzzParse"
	"./cli FuzzParseURL"
	"./cli FuzzParseArgs"
	"./hdrlog FuzzOpen"
	"./target FuzzCreatePost"
	"./generator FuzzParseResponses"
	"./generator FuzzReadPath"
	"./generator FuzzResponseHeaders"
	"./generator FuzzStaticRequest"
	"./luascript FuzzParseRequest"
)

fuzztime=${FUZZTIME:-3s}
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	echo "fuzz $pkg $name ($fuzztime)"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
done
