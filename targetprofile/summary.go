package targetprofile

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/google/pprof/profile"
)

// Function is one function's part of a CPU profile, as go tool pprof
// -top shows it: Flat is the CPU time spent in the function itself, Cum
// that and the time of what it called.
type Function struct {
	Name      string
	Flat, Cum time.Duration
}

// Summary is a CPU profile by function.
type Summary struct {
	// Total is the CPU time of every sample.
	Total time.Duration
	// Samples is how many samples were taken.
	Samples int64
	// Top are the functions with the most Flat time, most first, then by
	// name.
	Top []Function
}

// FlatShare and CumShare are f's times as shares (0-1) of the total.
func (s Summary) FlatShare(f Function) float64 { return share(f.Flat, s.Total) }
func (s Summary) CumShare(f Function) float64  { return share(f.Cum, s.Total) }

func share(d, of time.Duration) float64 {
	if of <= 0 {
		return 0
	}
	return float64(d) / float64(of)
}

// Summarize sums a CPU profile up by function and keeps the n functions
// of most flat time. Inlined calls count as their own functions, and a
// function that recurses counts once per sample in Cum, as in pprof.
func Summarize(p *profile.Profile, n int) (Summary, error) {
	cpu := cpuIndex(p)
	if cpu < 0 {
		return Summary{}, fmt.Errorf("not a CPU profile: %s", sampleTypes(p))
	}
	countIdx := -1
	for i, st := range p.SampleType {
		if st.Type == "samples" {
			countIdx = i
		}
	}
	type times struct{ flat, cum time.Duration }
	by := map[string]*times{}
	get := func(name string) *times {
		t := by[name]
		if t == nil {
			t = &times{}
			by[name] = t
		}
		return t
	}
	var s Summary
	seen := map[string]bool{}
	for _, sample := range p.Sample {
		v := time.Duration(sample.Value[cpu])
		s.Total += v
		if countIdx >= 0 {
			s.Samples += sample.Value[countIdx]
		}
		clear(seen)
		leaf := true
		for _, loc := range sample.Location {
			// A location's lines are its inlined calls, innermost first.
			names := locationNames(loc)
			for _, name := range names {
				if leaf {
					get(name).flat += v
					leaf = false
				}
				if !seen[name] {
					seen[name] = true
					get(name).cum += v
				}
			}
		}
	}
	for name, t := range by {
		s.Top = append(s.Top, Function{Name: name, Flat: t.flat, Cum: t.cum})
	}
	// go tool pprof -top's order.
	slices.SortFunc(s.Top, func(a, b Function) int {
		return cmp.Or(cmp.Compare(b.Flat, a.Flat), cmp.Compare(a.Name, b.Name))
	})
	if len(s.Top) > n {
		s.Top = s.Top[:n]
	}
	return s, nil
}

// locationNames are the functions of a location, innermost first; an
// address when it has no symbols.
func locationNames(loc *profile.Location) []string {
	var names []string
	for _, l := range loc.Line {
		if l.Function != nil && l.Function.Name != "" {
			names = append(names, l.Function.Name)
		}
	}
	if len(names) == 0 {
		names = append(names, fmt.Sprintf("0x%x", loc.Address))
	}
	return names
}
