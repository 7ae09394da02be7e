package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gowrk/gowrk/hdrlog"
	"github.com/gowrk/gowrk/report"
	"github.com/gowrk/gowrk/summary"
)

// files are the output files of a run or a merge. They are created before
// the run, so a bad path fails at once rather than after a long run, and
// removed again if the run does not happen.
type files struct {
	json, report, hgrm, hlog *os.File
	// jsonStdout writes the JSON report, hlogStdout the interval log with
	// each line marked (hdrlog.NewStreamWriter), to stdout.
	jsonStdout, hlogStdout bool
	created                []*os.File
}

func createFiles(o *Outputs) (*files, error) {
	f := &files{jsonStdout: o.JSON == "-", hlogStdout: o.HdrLog == "-"}
	for _, out := range []struct {
		path string
		file **os.File
	}{
		{o.JSON, &f.json}, {o.Report, &f.report}, {o.HdrOut, &f.hgrm}, {o.HdrLog, &f.hlog},
	} {
		if out.path == "" || (out.path == "-" && (out.file == &f.json || out.file == &f.hlog)) {
			continue
		}
		file, err := os.Create(out.path)
		if err != nil {
			f.remove()
			return nil, err
		}
		*out.file = file
		f.created = append(f.created, file)
	}
	return f, nil
}

// remove closes and deletes the files created.
func (f *files) remove() {
	for _, file := range f.created {
		file.Close()
		os.Remove(file.Name())
	}
}

// hlogWriter streams the interval log, if asked for, during the run: to
// its file, or to stdout among the other output (--hdr-log -), where
// `gowrk merge` finds it again.
func (f *files) hlogWriter(stdout io.Writer) *hdrlog.Writer {
	switch {
	case f.hlogStdout:
		return hdrlog.NewWriter(hdrlog.NewStreamWriter(stdout))
	case f.hlog != nil:
		return hdrlog.NewWriter(f.hlog)
	}
	return nil
}

// write renders the reports into the files (JSON to stdout when asked) and
// closes them.
func (f *files) write(stdout io.Writer, run *summary.Run, d report.Details, hlog *hdrlog.Writer) error {
	var errs []error
	save := func(file *os.File, r report.Reporter) {
		if file == nil {
			return
		}
		if err := render(file, r); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file.Name(), err))
		}
	}
	if f.jsonStdout {
		if err := render(stdout, report.JSONReporter(run, d)); err != nil {
			errs = append(errs, fmt.Errorf("cannot write the JSON report: %w", err))
		}
	}
	save(f.json, report.JSONReporter(run, d))
	save(f.report, report.HTMLReporter(run, d))
	save(f.hgrm, report.PercentilesReporter(run.Headline))
	if hlog != nil {
		name := "stdout"
		if f.hlog != nil {
			name = f.hlog.Name()
		}
		if err := hlog.Close(run.Result); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	for _, file := range f.created {
		if err := file.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// render runs r on a buffer in front of w and flushes it.
func render(w io.Writer, r report.Reporter) error {
	bw := bufio.NewWriter(w)
	if err := r(bw); err != nil {
		return err
	}
	return bw.Flush()
}
