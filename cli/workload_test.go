package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/targets"
)

// perGenerator are the options that generators of one workload may set
// each for itself: changing them keeps the workload's ID.
var perGenerator = map[string]bool{
	"RawURL": true, "Script": true, "Targets": true, "Version": true, "Help": true,
	"Quiet": true, "CPUProfile": true, "Engine": true, "StartAt": true, "SourceAddrs": true,
	"Outputs": true, "Watch": true, "ProfileTarget": true, "BodyFile": true,
	"Rounds": true,
}

func mustID(t *testing.T, o *Options, ts []targets.Target) string {
	t.Helper()
	id, err := workloadID(o, ts)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// nonZero sets v to a value other than its zero value.
func nonZero(v reflect.Value) {
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(7)
	case reflect.String:
		v.SetString("x")
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Unix(1, 0)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				nonZero(v.Field(i))
			}
		}
	}
}

// Every option shapes the workload unless it is one a generator sets for
// itself: an option added later counts by default.
func TestWorkloadIDCoversTheOptions(t *testing.T) {
	base := &Options{Connections: 10, Threads: 2}
	id := mustID(t, base, nil)
	var walk func(typ reflect.Type, path []int)
	walk = func(typ reflect.Type, path []int) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			p := append(append([]int(nil), path...), i)
			if f.Anonymous && !perGenerator[f.Name] {
				walk(f.Type, p)
				continue
			}
			if f.Name == "Shard" || f.Name == "Script" {
				continue // below: the shard's number is a generator's own; the script's text counts
			}
			o := *base
			nonZero(reflect.ValueOf(&o).Elem().FieldByIndex(p))
			changed := mustID(t, &o, nil) != id
			if changed == perGenerator[f.Name] {
				t.Errorf("option %s: ID changed %v, want %v", f.Name, changed, !perGenerator[f.Name])
			}
		}
	}
	walk(reflect.TypeFor[Options](), nil)
}

func TestWorkloadIDOfShardsAndFiles(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "a.lua")
	other := filepath.Join(dir, "b.lua")
	os.WriteFile(script, []byte("wrk.method = 'POST'\n"), 0o644)
	os.WriteFile(other, []byte("wrk.method = 'PUT'\n"), 0o644)
	shard := func(i, n int, path string) *Options {
		return &Options{Connections: 100, Threads: 2, Script: path, Shard: generator.Shard{Index: i, Count: n}}
	}
	first := mustID(t, shard(0, 4, script), nil)
	if got := mustID(t, shard(3, 4, script), nil); got != first {
		t.Errorf("shards 1/4 and 4/4: IDs %s and %s, want one", first, got)
	}
	if got := mustID(t, shard(0, 3, script), nil); got == first {
		t.Error("shard 1/4 and 1/3 have one ID")
	}
	if got := mustID(t, shard(0, 4, other), nil); got == first {
		t.Error("scripts of different text have one ID")
	}
	copied := filepath.Join(dir, "copy.lua")
	os.WriteFile(copied, []byte("wrk.method = 'POST'\n"), 0o644)
	if got := mustID(t, shard(0, 4, copied), nil); got != first {
		t.Error("one script under two names has two IDs")
	}
	ts, err := targets.Load("-", strings.NewReader("GET http://x/a\n\nGET http://x/b\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if mustID(t, shard(0, 4, script), ts) == mustID(t, shard(0, 4, script), ts[:1]) {
		t.Error("different targets have one ID")
	}
	if _, err := workloadID(shard(0, 4, filepath.Join(dir, "missing.lua")), nil); err == nil {
		t.Error("a missing script: no error")
	}
}

// The files -s, --body-file and --expect-body @ name count by their bytes.
func TestWorkloadCountsFilesByContent(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	for path, text := range map[string]string{a: "ok", b: "ok", c: "other"} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	id := func(file string) string {
		o, err := Parse([]string{"--expect-body", "@" + file, "--body-file", file, "http://127.0.0.1:1/"})
		if err != nil {
			t.Fatal(err)
		}
		return mustID(t, o, nil)
	}
	if id(a) != id(b) || id(a) == id(c) {
		t.Errorf("IDs %s %s %s: want the same bytes the same, other bytes another", id(a), id(b), id(c))
	}
}
