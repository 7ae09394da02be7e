package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/gowrk/gowrk/targets"
)

// workloadID names what shapes a run's load, so that merge and compare
// tell runs of different workloads apart: a hash of the options, of the
// script's text and of the targets' requests. Left out is what each
// generator of one workload sets for itself: its shard's number, its start
// time, its outputs, watching and target profile, its engine and source
// addresses, how many rounds it repeats, and the names of the files the
// script, targets, body and expected body came from.
func workloadID(o *Options, ts []targets.Target) (string, error) {
	w := *o
	w.Shard.Index = 0
	w.StartAt = time.Time{}
	w.Outputs, w.Watch = Outputs{}, Watch{}
	w.Quiet, w.CPUProfile, w.Engine = false, "", 0
	w.ProfileTarget = ""
	w.Rounds = 0
	w.SourceAddrs = nil
	w.RawURL, w.Script, w.Targets, w.BodyFile = "", "", "", ""
	// --expect-body @FILE counts by the file's bytes, not its name.
	expectFile, byFile := strings.CutPrefix(o.ExpectBody, "@")
	if byFile {
		w.ExpectBody = "@"
	}
	w.Version, w.Help = false, false
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(w); err != nil {
		return "", err
	}
	if o.Script != "" {
		src, err := os.ReadFile(o.Script)
		if err != nil {
			return "", err
		}
		h.Write(src)
	}
	if byFile {
		b, err := os.ReadFile(expectFile)
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	if err := json.NewEncoder(h).Encode(ts); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)[:8]), nil
}
