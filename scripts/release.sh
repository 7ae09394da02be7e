#!/usr/bin/env bash
# Builds the release archives into dist/: gowrk for every platform in
# scripts/platforms, static, with the version stamped in, each archived with
# the README, the docs it links to and the licence, plus SHA256SUMS. Usage: scripts/release.sh VERSION
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/release.sh VERSION}
version=${version#v}
command -v zip >/dev/null || { echo "release: zip is needed for the Windows archive" >&2; exit 1; }
rm -rf dist
mkdir -p dist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
docs=(README.md)
[ -f LICENSE ] && docs+=(LICENSE)
for p in $(cat scripts/platforms); do
	os=${p%/*} arch=${p#*/}
	name=gowrk_${version}_${os}_${arch}
	exe=gowrk
	[ "$os" = windows ] && exe=gowrk.exe
	mkdir -p "$work/$name"
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath \
		-ldflags "-s -w -X github.com/gowrk/gowrk/cli.Version=$version" \
		-o "$work/$name/$exe" ./cmd/gowrk
	cp "${docs[@]}" "$work/$name/"
	mkdir -p "$work/$name/docs"
	cp docs/*.md "$work/$name/docs/"
	if [ "$os" = windows ]; then
		(cd "$work" && zip -qr "$OLDPWD/dist/$name.zip" "$name")
	else
		tar -C "$work" -czf "dist/$name.tar.gz" --owner=0 --group=0 "$name"
	fi
done
(cd dist && sha256sum gowrk_* >SHA256SUMS)
ls dist
