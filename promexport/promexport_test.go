package promexport

import (
	"reflect"
	"testing"
)

func TestConstLabels(t *testing.T) {
	got, err := Options{Labels: map[string]string{"zone": "b", "instance": "gen-1"}, Shard: "2/3"}.constLabels()
	want := []Label{{"instance", "gen-1"}, {"shard", "2/3"}, {"zone", "b"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("labels %v, %v; want %v", got, err, want)
	}
	if got, err := (Options{}).constLabels(); err != nil || len(got) != 0 {
		t.Errorf("no options: %v, %v", got, err)
	}
	for _, name := range []string{"", "__name__", "__x", "1a", "a-b", "é", "class", "status", "le", "endpoint", "shard"} {
		if _, err := (Options{Labels: map[string]string{name: "v"}}).constLabels(); err == nil {
			t.Errorf("label name %q accepted", name)
		}
	}
	for _, name := range []string{"a", "_a", "A_1", "job"} {
		if _, err := (Options{Labels: map[string]string{name: "v"}}).constLabels(); err != nil {
			t.Errorf("label name %q refused: %v", name, err)
		}
	}
}
