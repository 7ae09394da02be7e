// Package deploy checks the container and cluster files: Dockerfile,
// docker-compose.yml and .dockerignore at the repository root, and the
// Kubernetes manifests in deploy/k8s. These machines have no Docker engine,
// so the tests parse the files with the real parsers (compose-spec's loader,
// BuildKit's Dockerfile parser, the .dockerignore matcher) and assert what
// the files must say. The package has no code of its own: those parsers are
// test-only dependencies and never reach the gowrk binary (TestBinariesFreeOfTestOnlyModules).
package deploy
