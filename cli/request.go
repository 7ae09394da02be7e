package cli

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gowrk/gowrk/generator"
)

// RequestOptions are the flags hey, oha and ab users reach for: the static
// request's method and body, a fixed number of requests, redirects, a
// warm-up, and checks on each response.
type RequestOptions struct {
	Method string
	// Body is -b's text or --body-file's bytes; BodyFile names the file.
	Body     []byte
	BodyFile string
	// Requests is -n: the run ends after exactly this many requests got a
	// response or an error; 0 for none.
	Requests uint64
	// Follow is how many redirects a request follows.
	Follow uint64
	// Warmup is how long the run goes before it measures, in seconds.
	Warmup uint64
	// ExpectStatus and ExpectBody are the checks on each response.
	ExpectStatus []generator.StatusRange
	ExpectBody   string
}

// maxFollow bounds --follow: browsers stop at 20.
const maxFollow = 20

// maxRequests bounds -n.
const maxRequests = 1 << 40

func addRequestFlags(fs *pflag.FlagSet, o *RequestOptions) {
	fs.StringVarP(&o.Method, "method", "m", "", "Request method")
	fs.VarP(bodyValue{&o.Body}, "body", "b", "Request body")
	fs.StringVar(&o.BodyFile, "body-file", "", "Request body from a file")
	fs.VarP(metricValue{&o.Requests, 1, maxRequests, "requests"}, "requests", "n", "Stop after exactly N requests")
	fs.Var(metricValue{&o.Follow, 1, maxFollow, "redirects"}, "follow", "Follow up to N redirects")
	fs.Var(timeValue{&o.Warmup}, "warmup", "Run T before measuring")
	fs.Var(statusValue{&o.ExpectStatus}, "expect-status", "Statuses that pass the check")
	fs.StringVar(&o.ExpectBody, "expect-body", "", "Body check: REGEX or @FILE")
}

// bodyValue is -b's text, taken as it is.
type bodyValue struct{ b *[]byte }

func (v bodyValue) String() string { return string(*v.b) }
func (v bodyValue) Type() string   { return "BODY" }
func (v bodyValue) Set(s string) error {
	*v.b = []byte(s)
	return nil
}

// statusValue is --expect-status: codes and classes, e.g. 2xx,404,500-504.
type statusValue struct{ s *[]generator.StatusRange }

func (v statusValue) String() string { return "" }
func (v statusValue) Type() string   { return "LIST" }
func (v statusValue) Set(s string) error {
	var out []generator.StatusRange
	for _, part := range strings.Split(s, ",") {
		r, ok := parseStatusRange(strings.TrimSpace(part))
		if !ok {
			return fmt.Errorf("invalid status %q: want codes, ranges or classes from 100 to 999, e.g. 2xx,404,500-504", strings.Map(printable, part))
		}
		out = append(out, r)
	}
	*v.s = out
	return nil
}

func parseStatusRange(s string) (generator.StatusRange, bool) {
	if len(s) == 3 && strings.EqualFold(s[1:], "xx") && s[0] >= '1' && s[0] <= '9' {
		lo := int(s[0]-'0') * 100
		return generator.StatusRange{Lo: lo, Hi: lo + 99}, true
	}
	a, b, isRange := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := lo, error(nil)
	if isRange {
		hi, err2 = strconv.Atoi(b)
	}
	if err1 != nil || err2 != nil || lo < 100 || hi > 999 || lo > hi || len(a) != 3 || (isRange && len(b) != 3) {
		return generator.StatusRange{}, false
	}
	return generator.StatusRange{Lo: lo, Hi: hi}, true
}

// check refuses what the request flags cannot do together with the rest,
// and reads the files they name.
func (r *RequestOptions) check(fs *pflag.FlagSet, o *Options) error {
	if r.Method != "" && !validHeaderName(r.Method) {
		return fmt.Errorf("invalid method %q: want a token such as GET, POST or PURGE", strings.Map(printable, r.Method))
	}
	if fs.Changed("body") && r.BodyFile != "" {
		return errors.New("-b and --body-file cannot be used together")
	}
	if r.BodyFile != "" {
		b, err := os.ReadFile(r.BodyFile)
		if err != nil {
			return fmt.Errorf("cannot read --body-file: %v", flagError(err))
		}
		r.Body = b
	}
	if o.Targets != "" && (r.Method != "" || r.Body != nil) {
		return errors.New("-m, -b and --body-file set the request without a targets file: its lines give each method and body")
	}
	if r.Requests > 0 {
		switch {
		case r.Requests < o.Connections:
			return fmt.Errorf("-n %d is fewer than the %d connections: raise -n or lower -c", r.Requests, o.Connections)
		case o.Breakpoint || o.Stages != nil || o.ConnStages != nil:
			return errors.New("-n cannot be used with --breakpoint, --stages or --conn-stages: they set the run's length by time")
		}
		if !fs.Changed("duration") {
			// -d bounds a run with -n only when given.
			o.Duration = maxSeconds - r.Warmup
		}
	}
	if r.Warmup > 0 && (o.Breakpoint || o.Stages != nil || o.ConnStages != nil) {
		return errors.New("--warmup cannot be used with --breakpoint, --stages or --conn-stages: a ramp starts low already, put the warm-up in the stages")
	}
	if r.Warmup > 0 && len(o.StopOn) > 0 {
		return errors.New("--warmup cannot be used with --stop-on")
	}
	if r.Requests > 0 && len(o.StopOn) > 0 {
		return errors.New("-n cannot be used with --stop-on")
	}
	if r.Warmup > 0 && r.Warmup+o.Duration > maxSeconds {
		return fmt.Errorf("--warmup and -d last over %dh", maxSeconds/3600)
	}
	if r.Follow > 0 && o.HTTP3 {
		return errors.New("--follow is not available with --http3")
	}
	if r.ExpectBody != "" {
		if _, err := r.bodyCheck(o.MaxBody); err != nil {
			return err
		}
	}
	return nil
}

// bodyCheck is --expect-body's check: a regular expression the body must
// match, or with @FILE, the file's bytes the body must equal.
func (r *RequestOptions) bodyCheck(maxBody uint64) (*generator.BodyCheck, error) {
	if r.ExpectBody == "" {
		return nil, nil
	}
	if path, ok := strings.CutPrefix(r.ExpectBody, "@"); ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read --expect-body's file: %v", flagError(err))
		}
		if uint64(len(b)) > maxBody {
			return nil, fmt.Errorf("--expect-body's file has %d bytes, more than --max-body %d: raise --max-body", len(b), maxBody)
		}
		return &generator.BodyCheck{Equal: b}, nil
	}
	re, err := regexp.Compile(r.ExpectBody)
	if err != nil {
		return nil, fmt.Errorf("invalid --expect-body regular expression: %v", flagError(err))
	}
	return &generator.BodyCheck{Match: re}, nil
}

// apply puts the request options into the engine's configuration.
func (r *RequestOptions) apply(cfg *generator.Config, maxBody uint64) {
	cfg.Method, cfg.Body = r.Method, r.Body
	cfg.Requests = r.Requests
	cfg.Follow = int(r.Follow)
	cfg.Warmup = time.Duration(r.Warmup) * time.Second
	cfg.Expect.Status = r.ExpectStatus
	cfg.Expect.Body, _ = r.bodyCheck(maxBody)
}
