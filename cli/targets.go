package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/targets"
)

// stdin is where --targets - reads; tests replace it.
var stdin io.Reader = os.Stdin

func targetsOrder(s string) (targets.Order, error) { return targets.ParseOrder(s) }

// useTargets loads --targets into cfg: the file's requests replace the
// static one, and the first target's host is the URL when none is given.
// A script wins over the file, which a line on stderr says.
func useTargets(o *Options, cfg *generator.Config, stderr io.Writer) error {
	if o.Targets == "" {
		return nil
	}
	if o.Script != "" {
		if o.URL == nil {
			return errUsage
		}
		fmt.Fprintln(stderr, "gowrk: --targets ignored: the script builds the requests")
		cfg.ByEndpoint = o.ByEndpoint
		return nil
	}
	ts, err := targets.Load(o.Targets, stdin, o.URL)
	if err != nil {
		return err
	}
	withHeaders(ts, o.Headers)
	order, err := targets.ParseOrder(o.TargetsOrder)
	if err != nil {
		return err
	}
	set, err := targets.NewSet(ts, order)
	if err != nil {
		return fmt.Errorf("%s: %w", o.Targets, err)
	}
	if o.URL == nil {
		o.URL = targets.URL(ts)
		o.RawURL = o.URL.String()
	}
	cfg.URL = o.URL
	cfg.Script = set
	return nil
}

// withHeaders adds the -H headers to every target that does not set a
// header of the same name itself, before the target's own.
func withHeaders(ts []targets.Target, headers []generator.Header) {
	for i := range ts {
		var add []generator.Header
		for _, h := range headers {
			own := false
			for _, th := range ts[i].Headers {
				own = own || strings.EqualFold(th.Name, h.Name)
			}
			if !own {
				add = append(add, h)
			}
		}
		ts[i].Headers = append(add, ts[i].Headers...)
	}
}
