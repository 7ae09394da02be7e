package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/gowrk/gowrk/cli"
)

// The subset of the Kubernetes objects the tests look at.
type (
	k8sObject struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name   string            `yaml:"name"`
			Labels map[string]string `yaml:"labels"`
		} `yaml:"metadata"`
		Spec yaml.Node `yaml:"spec"`
	}
	jobSpec struct {
		Completions  *int `yaml:"completions"`
		Parallelism  *int `yaml:"parallelism"`
		BackoffLimit *int `yaml:"backoffLimit"`
		Template     struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	}
	podSpec struct {
		RestartPolicy   string `yaml:"restartPolicy"`
		SecurityContext struct {
			RunAsNonRoot *bool `yaml:"runAsNonRoot"`
			RunAsUser    *int  `yaml:"runAsUser"`
			FSGroup      *int  `yaml:"fsGroup"`
		} `yaml:"securityContext"`
		Containers []container `yaml:"containers"`
		Volumes    []struct {
			Name string `yaml:"name"`
			PVC  *struct {
				ClaimName string `yaml:"claimName"`
			} `yaml:"persistentVolumeClaim"`
		} `yaml:"volumes"`
	}
	container struct {
		Name      string   `yaml:"name"`
		Image     string   `yaml:"image"`
		Command   []string `yaml:"command"`
		Args      []string `yaml:"args"`
		Env       []envVar `yaml:"env"`
		Resources struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
	}
	envVar struct {
		Name      string  `yaml:"name"`
		Value     *string `yaml:"value"`
		ValueFrom *struct {
			FieldRef *struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
		} `yaml:"valueFrom"`
	}
	pvcSpec struct {
		AccessModes []string `yaml:"accessModes"`
	}
)

// loadManifests decodes every document of a multi-document YAML file,
// rejecting duplicate keys and documents without apiVersion, kind or name.
func loadManifests(t *testing.T, name string) []k8sObject {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("k8s", name))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var objs []k8sObject
	for {
		var o k8sObject
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: invalid YAML: %v", name, err)
		}
		if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
			t.Fatalf("%s: a document without apiVersion, kind or metadata.name: %+v", name, o)
		}
		objs = append(objs, o)
	}
	return objs
}

func find(t *testing.T, objs []k8sObject, apiVersion, kind string) k8sObject {
	t.Helper()
	for _, o := range objs {
		if o.Kind == kind {
			if o.APIVersion != apiVersion {
				t.Errorf("%s %s: apiVersion %s, want %s", kind, o.Metadata.Name, o.APIVersion, apiVersion)
			}
			return o
		}
	}
	t.Fatalf("no %s", kind)
	return k8sObject{}
}

func decodeSpec(t *testing.T, o k8sObject, v any) {
	t.Helper()
	if err := o.Spec.Decode(v); err != nil {
		t.Fatalf("%s %s spec: %v", o.Kind, o.Metadata.Name, err)
	}
}

// show prints an optional field.
func show[T any](p *T) string {
	if p == nil {
		return "(unset)"
	}
	return fmt.Sprint(*p)
}

// expandK8s replaces $(NAME) references to the container's environment,
// as the kubelet does for command and args; fieldRefs get a sample value.
func expandK8s(c container, s string) string {
	vals := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.Value != nil:
			vals[e.Name] = *e.Value
		case e.ValueFrom != nil && e.ValueFrom.FieldRef != nil:
			vals[e.Name] = "sample-" + strings.ReplaceAll(e.ValueFrom.FieldRef.FieldPath, ".", "-")
		}
	}
	return regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vals[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// checkPodCommon: the image's user, the results volume from the claim.
func checkPodCommon(t *testing.T, ps podSpec, claim string) container {
	t.Helper()
	if ps.RestartPolicy != "Never" {
		t.Errorf("restartPolicy %q, want Never (a rerun would mix time windows)", ps.RestartPolicy)
	}
	sc := ps.SecurityContext
	uid := imageUID(t, loadDockerfile(t))
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != uid || sc.FSGroup == nil || *sc.FSGroup != uid {
		t.Errorf("securityContext runAsNonRoot %s runAsUser %s fsGroup %s: want true, %d, %d (the image's user)", show(sc.RunAsNonRoot), show(sc.RunAsUser), show(sc.FSGroup), uid, uid)
	}
	if len(ps.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(ps.Containers))
	}
	c := ps.Containers[0]
	if c.Image == "" {
		t.Error("container without image")
	}
	var vol string
	for _, v := range ps.Volumes {
		if v.PVC != nil && v.PVC.ClaimName == claim {
			vol = v.Name
		}
	}
	if vol == "" {
		t.Fatalf("no volume from the claim %s", claim)
	}
	mounted := false
	for _, m := range c.VolumeMounts {
		if m.Name == vol && m.MountPath == "/results" {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("volume %s is not mounted at /results", vol)
	}
	return c
}

func TestKubernetesJob(t *testing.T) {
	objs := loadManifests(t, "gowrk-job.yaml")
	pvc := find(t, objs, "v1", "PersistentVolumeClaim")
	var ps pvcSpec
	decodeSpec(t, pvc, &ps)
	if !slices.Contains(ps.AccessModes, "ReadWriteMany") {
		t.Errorf("claim %s access modes %q: N pods on N nodes write at once, want ReadWriteMany", pvc.Metadata.Name, ps.AccessModes)
	}

	job := find(t, objs, "batch/v1", "Job")
	var js jobSpec
	decodeSpec(t, job, &js)
	if js.Completions == nil || js.Parallelism == nil || *js.Completions < 2 || *js.Parallelism != *js.Completions {
		t.Errorf("completions %s parallelism %s: want N >= 2 generators, all at once", show(js.Completions), show(js.Parallelism))
	}
	if js.BackoffLimit == nil || *js.BackoffLimit != 0 {
		t.Errorf("backoffLimit %s, want 0", show(js.BackoffLimit))
	}
	c := checkPodCommon(t, js.Template.Spec, pvc.Metadata.Name)

	// Each pod writes its own interval log, named after the pod.
	if !slices.Equal(c.Command, []string{"gowrk"}) {
		t.Fatalf("command %q, want gowrk", c.Command)
	}
	i := slices.Index(c.Args, "--hdr-log")
	if i < 0 || i+1 >= len(c.Args) || c.Args[i+1] != "/results/$(POD_NAME).hlog" {
		t.Errorf("args %q: want --hdr-log /results/$(POD_NAME).hlog", c.Args)
	}
	podName := false
	for _, e := range c.Env {
		if e.Name == "POD_NAME" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name" {
			podName = true
		}
	}
	if !podName {
		t.Error("no POD_NAME from the downward API (fieldRef metadata.name)")
	}
	for _, a := range c.Args {
		for _, m := range regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).FindAllStringSubmatch(a, -1) {
			if !slices.ContainsFunc(c.Env, func(e envVar) bool { return e.Name == m[1] }) {
				t.Errorf("arg %q refers to $(%s), which the container does not define", a, m[1])
			}
		}
	}
	if cpu, err := strconv.ParseFloat(c.Resources.Requests["cpu"], 64); err != nil || cpu < 1 || c.Resources.Limits["cpu"] != c.Resources.Requests["cpu"] {
		t.Errorf("cpu request %q limit %q: want whole CPUs, limit = request (a generator must not be throttled below its share)", c.Resources.Requests["cpu"], c.Resources.Limits["cpu"])
	}

	// The arguments are a valid gowrk command line, by gowrk's own parser.
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = expandK8s(c, a)
	}
	if _, err := cli.Parse(args); err != nil {
		t.Errorf("gowrk %q: %v", args, err)
	}
}

func TestKubernetesMergePod(t *testing.T) {
	objs := loadManifests(t, "gowrk-merge.yaml")
	pod := find(t, objs, "v1", "Pod")
	var ps podSpec
	decodeSpec(t, pod, &ps)
	job := find(t, loadManifests(t, "gowrk-job.yaml"), "batch/v1", "Job")
	var js jobSpec
	decodeSpec(t, job, &js)
	claim := js.Template.Spec.Volumes[0].PVC.ClaimName
	c := checkPodCommon(t, ps, claim)
	if c.Image != js.Template.Spec.Containers[0].Image {
		t.Errorf("merge image %q, generators' image %q", c.Image, js.Template.Spec.Containers[0].Image)
	}
	if !strings.Contains(strings.Join(c.Command, " "), "gowrk merge /results/*.hlog") {
		t.Errorf("merge command %q, want gowrk merge /results/*.hlog", c.Command)
	}
}
