.PHONY: build test demo bench clean

# Static binaries, as in the Dockerfile: no libc mapped, a smaller footprint.
export CGO_ENABLED = 0

build:
	go build -o bin/gowrk ./cmd/gowrk
	go build -o bin/target ./cmd/target
	go build -o bin/localpg ./cmd/localpg

test:
	scripts/test.sh

demo:
	scripts/demo.sh

bench:
	bench/run.sh

clean:
	rm -rf bin .data
