package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/gowrk/gowrk/cli"
	"github.com/gowrk/gowrk/generator"
)

// loadJob decodes the manifest's one document into Kubernetes' own Job
// type, strictly: a field the API does not have, or one of the wrong type,
// fails, as `kubectl apply --validate=strict` would. yaml.v3 first rejects
// duplicate keys, which the API's decoder would silently merge.
func loadJob(t *testing.T, name string) *batchv1.Job {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("k8s", name))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	docs := 0
	for {
		var n yaml.Node
		if err := dec.Decode(&n); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: invalid YAML: %v", name, err)
		}
		docs++
	}
	if docs != 1 {
		t.Fatalf("%s: %d documents, want the Job alone", name, docs)
	}
	var job batchv1.Job
	if err := sigsyaml.UnmarshalStrict(src, &job); err != nil {
		t.Fatalf("%s: not a valid batch/v1 Job: %v", name, err)
	}
	if job.APIVersion != "batch/v1" || job.Kind != "Job" || job.Name == "" {
		t.Fatalf("%s: apiVersion %q kind %q name %q, want a named batch/v1 Job", name, job.APIVersion, job.Kind, job.Name)
	}
	return &job
}

// envOf is the container's plain environment values.
func envOf(t *testing.T, c corev1.Container) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			t.Errorf("env %s from %v: the generators need nothing from the downward API", e.Name, e.ValueFrom)
		}
		env[e.Name] = e.Value
	}
	return env
}

// expandK8s replaces $(NAME) references to the container's environment,
// as the kubelet does in command and args before the container starts.
func expandK8s(env map[string]string, s string) string {
	return regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := env[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// startPlaceholder is the manifest's start time, which the documented
// one-liner replaces at apply time.
const startPlaceholder = "START_AT_TIME"

func TestKubernetesJob(t *testing.T) {
	job := loadJob(t, "gowrk-job.yaml")
	spec := job.Spec
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("completionMode %v, want Indexed: JOB_COMPLETION_INDEX names each pod's shard", spec.CompletionMode)
	}
	if spec.Completions == nil || spec.Parallelism == nil || *spec.Completions < 2 || *spec.Parallelism != *spec.Completions {
		t.Fatalf("completions %v parallelism %v: want N >= 2 generators, all at once", spec.Completions, spec.Parallelism)
	}
	n := int(*spec.Completions)
	if spec.BackoffLimit == nil || *spec.BackoffLimit != 0 {
		t.Errorf("backoffLimit %v, want 0: a rerun shard would start outside the window", spec.BackoffLimit)
	}
	if spec.ActiveDeadlineSeconds == nil || *spec.ActiveDeadlineSeconds <= 0 {
		t.Error("no activeDeadlineSeconds: a hung pod would hold the Job for ever")
	}
	ps := spec.Template.Spec
	if ps.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q, want Never", ps.RestartPolicy)
	}
	if len(ps.Volumes) != 0 {
		t.Errorf("volumes %v: the results travel in the pods' logs, no volume needed", ps.Volumes)
	}
	uid := imageUID(t, loadDockerfile(t))
	sc := ps.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != int64(uid) {
		t.Errorf("securityContext %+v: want runAsNonRoot and the image's uid %d", sc, uid)
	}
	if len(ps.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(ps.Containers))
	}
	c := ps.Containers[0]
	env := envOf(t, c)
	if env["SHARDS"] != strconv.Itoa(n) {
		t.Errorf("SHARDS %q, completions %d: want them equal", env["SHARDS"], n)
	}
	if env["START_AT"] != startPlaceholder {
		t.Errorf("START_AT %q, want the placeholder %s the README's one-liner replaces", env["START_AT"], startPlaceholder)
	}
	cpu := c.Resources.Requests[corev1.ResourceCPU]
	if limit := c.Resources.Limits[corev1.ResourceCPU]; cpu.IsZero() || cpu.MilliValue()%1000 != 0 || !cpu.Equal(limit) {
		t.Errorf("cpu request %s limit %s: want whole CPUs, limit = request", cpu.String(), limit.String())
	}
	for _, a := range append(slices.Clone(c.Command), c.Args...) {
		for _, m := range regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).FindAllStringSubmatch(a, -1) {
			if _, ok := env[m[1]]; !ok {
				t.Errorf("%q refers to $(%s), which the container does not define", a, m[1])
			}
		}
	}

	// Every pod's command line, as the kubelet and the shell make it, is
	// gowrk's own: shard index+1 of N, the one start time, the log on
	// stdout, each shard its share of the connections.
	start := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	env["START_AT"] = start
	total := 0
	for index := range n {
		args := commandLine(t, c, env, index)
		o, err := cli.Parse(args)
		if err != nil {
			t.Fatalf("pod %d: gowrk %q: %v", index, args, err)
		}
		if o.Shard != (generator.Shard{Index: index, Count: n}) || o.HdrLog != "-" || o.StartAt.Format(time.RFC3339) != start {
			t.Errorf("pod %d: shard %v, --hdr-log %q, --start-at %v", index, o.Shard, o.HdrLog, o.StartAt)
		}
		total += o.Shard.ShareOf(int(o.Connections))
		if index == 0 && (o.Rate == 0 || o.Connections < uint64(n)*o.Threads) {
			t.Errorf("-R %d -c %d -t %d: want an open-loop workload whose connections cover every shard's threads", o.Rate, o.Connections, o.Threads)
		}
	}
	o, _ := cli.Parse(commandLine(t, c, env, 0))
	if total != int(o.Connections) {
		t.Errorf("the shards hold %d connections, the workload %d", total, o.Connections)
	}
}

// commandLine runs the container's command, after the kubelet's $(VAR)
// expansion, in a shell with the Job's index, and returns the arguments it
// gives gowrk.
func commandLine(t *testing.T, c corev1.Container, env map[string]string, index int) []string {
	t.Helper()
	if len(c.Command) < 3 || c.Command[0] != "sh" || c.Command[1] != "-c" {
		t.Fatalf("command %q, want sh -c SCRIPT", c.Command)
	}
	bin := t.TempDir()
	fake := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done\n"
	if err := os.WriteFile(filepath.Join(bin, "gowrk"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	var argv []string
	for _, a := range append(slices.Clone(c.Command[1:]), c.Args...) {
		argv = append(argv, expandK8s(env, a))
	}
	cmd := exec.Command("sh", argv...)
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "JOB_COMPLETION_INDEX=" + strconv.Itoa(index)}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pod %d: %q: %v", index, argv, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}
