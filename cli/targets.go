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
// A script wins over the file, which a line on stderr says. A shard sends
// its share of the file's lines, dealt round-robin. It returns the whole
// file's requests, which are part of the workload.
func useTargets(o *Options, cfg *generator.Config, stderr io.Writer) ([]targets.Target, error) {
	if o.Targets == "" {
		return nil, nil
	}
	if o.Script != "" {
		if o.URL == nil {
			return nil, errUsage
		}
		fmt.Fprintln(stderr, "gowrk: --targets ignored: the script builds the requests")
		cfg.ByEndpoint = o.ByEndpoint
		return nil, nil
	}
	all, err := targets.Load(o.Targets, stdin, o.URL)
	if err != nil {
		return nil, err
	}
	withHeaders(all, o.Headers)
	var ts []targets.Target
	for i, t := range all {
		if o.Shard.Owns(i) {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%s: %d requests, fewer than the %d shards: shard %s would send none", o.Targets, len(all), o.Shard.Count, o.Shard)
	}
	order, err := targets.ParseOrder(o.TargetsOrder)
	if err != nil {
		return nil, err
	}
	set, err := targets.NewSet(ts, order)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.Targets, err)
	}
	if o.URL == nil {
		o.URL = targets.URL(ts)
		o.RawURL = o.URL.String()
	}
	cfg.URL = o.URL
	cfg.Script = set
	return all, nil
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
