package target

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// page is the GET /api/posts response as encoding/json would write it.
type page struct {
	Posts      []Post `json:"posts"`
	NextBefore *int64 `json:"next_before"`
}

// The hand-written encoders must mean exactly what encoding/json says.
func TestAppendPostMatchesEncodingJSON(t *testing.T) {
	ts := time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC)
	strs := []string{
		"", "plain", `quote " and backslash \`, "new\nline\ttab\rcr\bbs\fff",
		"ctl \x00\x01\x1f\x7f", "<html>&amp;</html>", "héllo wörld ✓ 日本 🎉",
		"bad utf8 \xff\xfe end", "truncated \xe2\x82", "sep \u2028 \u2029",
		"'; DROP TABLE posts; --",
	}
	for _, s := range strs {
		p := Post{ID: 9007199254740993, Title: s, Body: s + s, CreatedAt: ts}
		got := appendPost(nil, &p)
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%q: invalid JSON %s: %v", s, got, err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
		// Exact id: a float64 round trip would lose it.
		var back Post
		if err := json.Unmarshal(got, &back); err != nil || back != p && !validUTF8Changed(s) {
			t.Errorf("%q: round trip %+v, err %v", s, back, err)
		}
	}
}

// validUTF8Changed reports strings that encoding/json also changes (invalid
// UTF-8 becomes U+FFFD), so a round trip cannot be exact.
func validUTF8Changed(s string) bool {
	return s == "bad utf8 \xff\xfe end" || s == "truncated \xe2\x82"
}

// writePage runs posts (the rows a query returned for limit+1) through a
// pageWriter.
func writePage(posts []Post, limit int) []byte {
	var w pageWriter
	w.start(nil, limit)
	for _, p := range posts {
		w.row(p.ID, []byte(p.Title), []byte(p.Body), p.CreatedAt)
	}
	return w.finish()
}

func TestPageWriter(t *testing.T) {
	ts := time.Unix(1700000000, 0).UTC()
	posts := []Post{{ID: 3, Title: "c", Body: "z", CreatedAt: ts}, {ID: 2, Title: "b", Body: "y", CreatedAt: ts}, {ID: 1, Title: "a", Body: "x", CreatedAt: ts}}
	for _, tc := range []struct {
		rows, limit int
		want        page
	}{
		{3, 2, page{Posts: posts[:2], NextBefore: ptr(int64(2))}}, // an extra row: more pages
		{2, 2, page{Posts: posts[:2]}},                            // exactly limit: last page
		{1, 2, page{Posts: posts[:1]}},
	} {
		b := writePage(posts[:tc.rows], tc.limit)
		var got page
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("invalid JSON %s: %v", b, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%d rows, limit %d: got %s", tc.rows, tc.limit, b)
		}
	}
	if got := string(writePage(nil, 20)); got != `{"posts":[],"next_before":null}` {
		t.Errorf("empty page = %s", got)
	}
}

// The 8-byte skip must never miss a byte that needs escaping, wherever it
// sits in the word and whatever surrounds it.
func TestAppendStringEveryByte(t *testing.T) {
	for c := range 256 {
		for pos := range 16 {
			for _, fill := range []byte{'a', 0x7f, ' ', '~'} {
				in := []byte(strings.Repeat(string(fill), 16))
				in[pos] = byte(c)
				got := appendString(nil, in)
				want, _ := json.Marshal(string(in))
				var g, w string
				if err := json.Unmarshal(got, &g); err != nil {
					t.Fatalf("byte %#x at %d: invalid JSON %q: %v", c, pos, got, err)
				}
				_ = json.Unmarshal(want, &w)
				if g != w {
					t.Fatalf("byte %#x at %d: got %q, want %q", c, pos, got, want)
				}
			}
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain ascii text here", "\"\\\n\x00", "héllo \xff\xfe 🎉 \u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var g, w string
		if err := json.Unmarshal(appendString(nil, s), &g); err != nil {
			t.Fatalf("%q: invalid JSON: %v", s, err)
		}
		want, _ := json.Marshal(s)
		_ = json.Unmarshal(want, &w)
		if g != w || string(appendString(nil, []byte(s))) != string(appendString(nil, s)) {
			t.Fatalf("%q: got %q, want %q", s, g, w)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func BenchmarkAppendPage(b *testing.B) {
	posts := make([]Post, 20)
	for i := range posts {
		posts[i] = Post{ID: int64(1000 - i), Title: "Post 1000: load test latency", Body: "a body of a few dozen words about throughput and latency, with \"quotes\" and a newline\n", CreatedAt: time.Now()}
	}
	b.Run("pageWriter", func(b *testing.B) {
		var w pageWriter
		var buf []byte
		for b.Loop() {
			w.start(buf[:0], 20)
			for i := range posts {
				w.row(posts[i].ID, []byte(posts[i].Title), []byte(posts[i].Body), posts[i].CreatedAt)
			}
			buf = w.finish()
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		next := int64(981)
		for b.Loop() {
			if _, err := json.Marshal(page{Posts: posts, NextBefore: &next}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
