package cli

import (
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
	jsonStdout               bool
	created                  []*os.File
}

func createFiles(o *Outputs) (*files, error) {
	f := &files{jsonStdout: o.JSON == "-"}
	for _, out := range []struct {
		path string
		file **os.File
	}{
		{o.JSON, &f.json}, {o.Report, &f.report}, {o.HdrOut, &f.hgrm}, {o.HdrLog, &f.hlog},
	} {
		if out.path == "" || (out.path == "-" && out.file == &f.json) {
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

// hlogWriter streams the interval log, if asked for, during the run.
func (f *files) hlogWriter() *hdrlog.Writer {
	if f.hlog == nil {
		return nil
	}
	return hdrlog.NewWriter(f.hlog)
}

// write renders the reports into the files (JSON to stdout when asked) and
// closes them.
func (f *files) write(stdout io.Writer, run *summary.Run, d report.Details, hlog *hdrlog.Writer) error {
	var errs []error
	save := func(file *os.File, render func(io.Writer) error) {
		if file == nil {
			return
		}
		if err := render(file); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file.Name(), err))
		}
	}
	if f.jsonStdout {
		if err := report.JSON(stdout, run, d); err != nil {
			errs = append(errs, fmt.Errorf("cannot write the JSON report: %w", err))
		}
	}
	save(f.json, func(w io.Writer) error { return report.JSON(w, run, d) })
	save(f.report, func(w io.Writer) error { return report.HTML(w, run, d) })
	save(f.hgrm, func(w io.Writer) error { return report.WritePercentiles(w, run.Headline) })
	if hlog != nil {
		save(f.hlog, func(io.Writer) error { return hlog.Close(run.Result) })
	}
	for _, file := range f.created {
		if err := file.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
