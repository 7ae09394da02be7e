package targetprofile

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// FuzzSummarize: whatever a target sends as its profile, it is refused or
// summed up without a panic, each function's time within the total.
func FuzzSummarize(f *testing.F) {
	fn := &profile.Function{ID: 1, Name: "main.work"}
	loc := &profile.Location{ID: 1, Line: []profile.Line{{Function: fn}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample:     []*profile.Sample{{Location: []*profile.Location{loc, loc}, Value: []int64{3, int64(30 * time.Millisecond)}}},
		Function:   []*profile.Function{fn},
		Location:   []*profile.Location{loc},
	}
	var b bytes.Buffer
	if err := p.WriteUncompressed(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	b.Reset()
	if err := p.Write(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte("not a profile"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := profile.ParseData(data)
		if err != nil {
			return
		}
		s, err := Summarize(p, 15)
		if err != nil {
			return
		}
		for _, fn := range s.Top {
			if fn.Flat > fn.Cum || (s.Total > 0 && fn.Cum > s.Total) || fn.Flat < 0 {
				t.Fatalf("%+v of total %v", fn, s.Total)
			}
		}
	})
}
