package target

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

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

func TestAppendPage(t *testing.T) {
	ts := time.Unix(1700000000, 0).UTC()
	posts := []Post{{ID: 3, Title: "c", Body: "z", CreatedAt: ts}, {ID: 2, Title: "b", Body: "y", CreatedAt: ts}}
	for _, tc := range []struct {
		hasNext bool
		want    page
	}{
		{true, page{Posts: posts, NextBefore: ptr(int64(2))}},
		{false, page{Posts: posts}},
	} {
		b := appendPage(nil, posts, 2, tc.hasNext)
		var got page
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("invalid JSON %s: %v", b, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("hasNext=%v: got %s", tc.hasNext, b)
		}
	}
	if got := string(appendPage(nil, nil, 0, false)); got != `{"posts":[],"next_before":null}` {
		t.Errorf("empty page = %s", got)
	}
}

func ptr[T any](v T) *T { return &v }

func BenchmarkAppendPage(b *testing.B) {
	posts := make([]Post, 20)
	for i := range posts {
		posts[i] = Post{ID: int64(1000 - i), Title: "Post 1000: load test latency", Body: "a body of a few dozen words about throughput and latency, with \"quotes\" and a newline\n", CreatedAt: time.Now()}
	}
	b.Run("append", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf = appendPage(buf[:0], posts, 981, true)
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
