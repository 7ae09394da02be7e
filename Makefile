.PHONY: build test demo bench clean

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
