package targets

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	body := filepath.Join(dir, "post.json")
	if err := os.WriteFile(body, []byte(`{"title":"x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	file := "# a comment\nGET http://h:8080/posts?limit=5\nX-Account-ID: 8675309\nAccept: */*\n\n\n" +
		"POST http://h:8080/posts\nContent-Type: application/json\n@" + body + "\n" +
		"\nDELETE http://h:8080/posts/1\n"
	ts, err := Parse(strings.NewReader(file), "t.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 {
		t.Fatalf("%d targets, want 3", len(ts))
	}
	if ts[0].Method != "GET" || ts[0].URL.RequestURI() != "/posts?limit=5" || len(ts[0].Headers) != 2 || ts[0].Headers[0].Value != "8675309" || ts[0].Line != 2 {
		t.Errorf("first target %+v", ts[0])
	}
	if ts[1].Method != "POST" || string(ts[1].Body) != `{"title":"x"}` || ts[1].Headers[0].Name != "Content-Type" {
		t.Errorf("second target %+v", ts[1])
	}
	if ts[2].Method != "DELETE" || ts[2].Body != nil || ts[2].Line != 11 {
		t.Errorf("third target %+v", ts[2])
	}
	if u := URL(ts); u.String() != "http://h:8080/" {
		t.Errorf("URL %s", u)
	}
}

func TestParseResolvesAgainstTheURLArgument(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:9/api/")
	ts, err := Parse(strings.NewReader("GET /a\n\nGET b?x=1\n"), "t", base)
	if err != nil {
		t.Fatal(err)
	}
	if ts[0].URL.String() != "http://127.0.0.1:9/a" || ts[1].URL.String() != "http://127.0.0.1:9/api/b?x=1" {
		t.Errorf("URLs %s %s", ts[0].URL, ts[1].URL)
	}
}

func TestBadFilesNameTheLine(t *testing.T) {
	cases := []struct{ file, want string }{
		{"", "t.txt: no targets"},
		{"# only comments\n", "t.txt: no targets"},
		{"GET\n", "t.txt:1: want \"METHOD URL\", got \"GET\""},
		{"\n\nGET /relative\n", "t.txt:3: invalid URL \"/relative\": want http:// or https:// with a host"},
		{"GET ftp://h/x\n", "t.txt:1: invalid URL \"ftp://h/x\": want http:// or https:// with a host"},
		{"G(T http://h/\n", "t.txt:1: invalid method \"G(T\""},
		{"GET http://h/\nno colon\n", "t.txt:2: invalid header \"no colon\": want \"Name: value\""},
		{"GET http://h/\n@/nonexistent/body\n", "t.txt:2: cannot read body /nonexistent/body: no such file or directory"},
		{"GET http://h/\n@\n", "t.txt:2: \"@\" without a file"},
		{"GET http://a/\n\nGET http://b/\n", "t.txt:3: http://b differs from the first target's http://a: all targets share one host"},
		{"GET http://h/ x\n", "t.txt:1: want \"METHOD URL\", got \"GET http://h/ x\""},
	}
	for _, c := range cases {
		_, err := Parse(strings.NewReader(c.file), "t.txt", nil)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: err %v, want %s", c.file, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error on more than one line", c.file)
		}
	}
	if _, err := Load("/nonexistent/targets.txt", nil, nil); err == nil || err.Error() != "/nonexistent/targets.txt: cannot read targets: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadReadsStdin(t *testing.T) {
	ts, err := Load("-", strings.NewReader("GET http://h/x\n"), nil)
	if err != nil || len(ts) != 1 || ts[0].URL.Path != "/x" {
		t.Fatalf("%+v, %v", ts, err)
	}
	if _, err := Load("-", strings.NewReader("nonsense\n"), nil); err == nil || !strings.HasPrefix(err.Error(), "stdin:1: ") {
		t.Errorf("err %v", err)
	}
}

func newSet(t *testing.T, file string, order Order) *Set {
	t.Helper()
	ts, err := Parse(strings.NewReader(file), "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSet(ts, order)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSequenceGoesRoundRobinAndGroupsByPath(t *testing.T) {
	s := newSet(t, "GET http://h/a?x=1\n\nPOST http://h/b\n\nGET http://h/a?x=2\n", Sequence)
	if got := strings.Join(s.names, ","); got != "GET /a,POST /b" {
		t.Errorf("names %s", got)
	}
	th, _ := s.NewThread(0, nil, nil)
	var seen []string
	for range 6 {
		req, err := th.Next(0)
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := strings.Cut(string(req.Bytes), "\r\n")
		seen = append(seen, line+"#"+string(rune('0'+req.EndpointOf(0))))
	}
	want := "GET /a?x=1 HTTP/1.1#0,POST /b HTTP/1.1#1,GET /a?x=2 HTTP/1.1#0,GET /a?x=1 HTTP/1.1#0,POST /b HTTP/1.1#1,GET /a?x=2 HTTP/1.1#0"
	if got := strings.Join(seen, ","); got != want {
		t.Errorf("sent %s\nwant %s", got, want)
	}
}

func TestRandomOrderCoversEveryTarget(t *testing.T) {
	var file strings.Builder
	for i := range 20 {
		file.WriteString("GET http://h/" + string(rune('a'+i)) + "\n\n")
	}
	s := newSet(t, file.String(), Random)
	th, _ := s.NewThread(1, nil, nil)
	counts := map[string]int{}
	var order []string
	for range 2000 {
		req, _ := th.Next(0)
		line, _, _ := strings.Cut(string(req.Bytes), " HTTP")
		counts[line]++
		if len(order) < 20 {
			order = append(order, line)
		}
	}
	if len(counts) != 20 {
		t.Fatalf("%d of 20 targets sent", len(counts))
	}
	for line, n := range counts {
		if n < 50 || n > 150 {
			t.Errorf("%s sent %d times of 2000, want about 100", line, n)
		}
	}
	inOrder := true
	for i := 1; i < len(order); i++ {
		inOrder = inOrder && order[i] > order[i-1]
	}
	if inOrder {
		t.Error("random order sent the targets in sequence")
	}
}

func TestMoreThanMaxEndpointsGoToOther(t *testing.T) {
	var file strings.Builder
	for i := range 105 {
		file.WriteString("GET http://h/p" + strings.Repeat("x", i) + "\n\n")
	}
	s := newSet(t, file.String(), Sequence)
	if len(s.names) != 100 || s.requests[104].EndpointOf(0) != 100 {
		t.Errorf("%d names, last endpoint %d", len(s.names), s.requests[104].EndpointOf(0))
	}
}

func TestNextDoesNotAllocate(t *testing.T) {
	s := newSet(t, "GET http://h/a\n\nGET http://h/b\n", Random)
	th, _ := s.NewThread(0, nil, nil)
	if n := testing.AllocsPerRun(1000, func() { _, _ = th.Next(0) }); n != 0 {
		t.Errorf("%.1f allocations per request", n)
	}
}

func TestParseOrder(t *testing.T) {
	if o, err := ParseOrder("random"); err != nil || o != Random {
		t.Error("random")
	}
	if _, err := ParseOrder("shuffle"); err == nil || err.Error() != `invalid --targets-order "shuffle": want sequence or random` {
		t.Errorf("err %v", err)
	}
}
