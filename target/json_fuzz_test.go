package target

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// recordingWriter stores nothing; it keeps the post it was given.
type recordingWriter struct{ got *NewPost }

func (w *recordingWriter) CreatePost(_ context.Context, p NewPost) (Post, error) {
	w.got = &p
	return Post{ID: 7, Title: p.Title, Body: p.Body, CreatedAt: time.Unix(1_700_000_000, 0)}, nil
}

// fieldsOracle decodes a request with a generic decoder: the title and body
// strings when both are present as exactly those keys (no other spelling
// of them, which encoding/json would also match), and whether the input is
// a JSON object at all.
func fieldsOracle(data []byte) (title, body string, haveBoth, object bool) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return "", "", false, false
	}
	for k := range m {
		if k != "title" && k != "body" && (strings.EqualFold(k, "title") || strings.EqualFold(k, "body") || !isASCII(k)) {
			return "", "", false, true
		}
	}
	title, ok1 := m["title"].(string)
	body, ok2 := m["body"].(string)
	return title, body, ok1 && ok2, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// FuzzCreatePost sends arbitrary bodies to POST /api/posts: the answer is
// always 201, 400 or 422 with a JSON body, never a panic or a 500; a 201
// stores exactly the strings a generic JSON decoder reads, and returns
// them; a valid request is never refused.
func FuzzCreatePost(f *testing.F) {
	for _, s := range []string{
		`{"title":"t","body":"b"}`, `{"title":"","body":"b"}`, `{"title":" ","body":"b"}`, `{"title":"t"}`,
		`{"title":1,"body":"b"}`, `{"title":"t","body":"b","title":"u"}`, `{"TITLE":"t","body":"b"}`,
		`{"title":"a\u0000b","body":"b"}`, `{"title":"\ud800","body":"\xff"}`, `[1]`, `null`, `"x"`, `{`, ``,
		`{"title":"t","body":"b"} trailing`, `{"title":"<&>","body":"\u2028"}`,
	} {
		f.Add([]byte(s))
	}
	w := &recordingWriter{}
	app := NewApp(nil, w, slog.New(slog.DiscardHandler), false)
	handler := app.Handler()
	f.Fuzz(func(t *testing.T, data []byte) {
		w.got = nil
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod("POST")
		ctx.Request.SetRequestURI("/api/posts")
		ctx.Request.Header.SetContentType("application/json")
		ctx.Request.SetBody(data)
		handler(&ctx)
		status, resp := ctx.Response.StatusCode(), ctx.Response.Body()

		if !json.Valid(resp) {
			t.Fatalf("%q: response %d %q is not JSON", data, status, resp)
		}
		title, body, haveBoth, object := fieldsOracle(data)
		switch status {
		case 201:
			var p Post
			if err := json.Unmarshal(resp, &p); err != nil || w.got == nil {
				t.Fatalf("%q: 201 %q: %v, stored %v", data, resp, err, w.got)
			}
			if !json.Valid(data) {
				t.Fatalf("%q: invalid JSON accepted", data)
			}
			if strings.TrimSpace(w.got.Title) == "" || strings.TrimSpace(w.got.Body) == "" ||
				strings.IndexByte(w.got.Title, 0) >= 0 || strings.IndexByte(w.got.Body, 0) >= 0 {
				t.Fatalf("%q: stored %+v", data, *w.got)
			}
			if p.Title != w.got.Title || p.Body != w.got.Body {
				t.Fatalf("%q: stored %+v, answered %+v", data, *w.got, p)
			}
			if haveBoth && (w.got.Title != title || w.got.Body != body) {
				t.Fatalf("%q: stored %+v, a JSON decoder reads %q, %q", data, *w.got, title, body)
			}
		case 400, 422:
			var e errorBody
			if err := json.Unmarshal(resp, &e); err != nil || e.Error == "" || w.got != nil {
				t.Fatalf("%q: %d %q: %v, stored %v", data, status, resp, err, w.got)
			}
			if status == 400 && object && len(data) < 10000 { // encoding/json limits nesting
				t.Fatalf("%q: a JSON object answered 400 %q", data, resp)
			}
			if haveBoth && strings.TrimSpace(title) != "" && strings.TrimSpace(body) != "" &&
				!strings.Contains(title+body, "\x00") {
				t.Fatalf("%q: a valid post refused: %d %q", data, status, resp)
			}
		default:
			t.Fatalf("%q: status %d %q", data, status, resp)
		}
	})
}
