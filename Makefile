.PHONY: build test demo bench release clean

# Static binaries, as in the Dockerfile: no libc mapped, a smaller footprint.
export CGO_ENABLED = 0

build:
	go build -o bin/gowrk ./cmd/gowrk
	go build -o bin/target ./cmd/target
	go build -o bin/localpg ./cmd/localpg

# The version stamped into release binaries (gowrk -v); cli.Version unless
# given: make release VERSION=1.2.3
VERSION ?= $(shell sed -n 's/^var Version = "\(.*\)"/\1/p' cli/main.go)

test:
	scripts/test.sh

demo:
	scripts/demo.sh

bench:
	bench/run.sh

release:
	scripts/release.sh $(VERSION)

clean:
	rm -rf bin .data dist
