// Command gowrk is a wrk-compatible HTTP load generator.
package main

import (
	"os"

	"github.com/gowrk/gowrk/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
