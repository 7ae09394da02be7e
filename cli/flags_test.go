package cli

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/generator"
)

func TestParseDefaultsAndUnits(t *testing.T) {
	o, err := Parse([]string{"http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Connections != 10 || o.Threads != 2 || o.Duration != 10 || o.Timeout != 2 || o.Latency {
		t.Errorf("defaults: %+v", o)
	}
	o, err = Parse([]string{"-c", "1k", "-t", "4", "-d", "2m", "--timeout", "5s", "--latency", "http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Connections != 1000 || o.Threads != 4 || o.Duration != 120 || o.Timeout != 5 || !o.Latency {
		t.Errorf("parsed: %+v", o)
	}
}

func TestParseOptionsAfterURLAndScriptArgs(t *testing.T) {
	o, err := Parse([]string{"http://h/x", "-c", "20", "a", "--", "-b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if o.RawURL != "http://h/x" || o.Connections != 20 {
		t.Errorf("url %q connections %d", o.RawURL, o.Connections)
	}
	if want := []string{"a", "-b", "c"}; !reflect.DeepEqual(o.ScriptArgs, want) {
		t.Errorf("script args %q, want %q", o.ScriptArgs, want)
	}
}

func TestParseHeaders(t *testing.T) {
	o, err := Parse([]string{"-H", "X-A: b", "-H", "X-B:c", "-H", "host:  h2 ", "http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	want := []generator.Header{{Name: "X-A", Value: "b"}, {Name: "X-B", Value: "c"}, {Name: "host", Value: "h2"}}
	if !reflect.DeepEqual(o.Headers, want) {
		t.Errorf("headers %+v, want %+v", o.Headers, want)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"-t", "0", "http://h/"}, "usage"},
		{[]string{"-d", "0", "http://h/"}, "usage"},
		{[]string{"-t", "4", "-c", "2", "http://h/"}, "number of connections must be >= threads"},
		{[]string{"foo"}, "invalid URL: foo"},
		{[]string{"http:///"}, "invalid URL: http:///"},
		{[]string{"ftp://h/"}, `unsupported URL scheme "ftp"`},
		{[]string{"-c", "1x", "http://h/"}, `invalid number "1x"`},
		{[]string{"-d", "10ms", "http://h/"}, `invalid time "10ms"`},
		{[]string{"--bogus", "http://h/"}, "unknown flag: --bogus"},
		{[]string{"-H", "novalue", "http://h/"}, `invalid header "novalue"`},
		{[]string{"-H"}, "flag needs an argument"},
	}
	for _, tc := range cases {
		_, err := Parse(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want %q", tc.args, err, tc.want)
		}
	}
}
