# gowrk image: the load generator (gowrk), the API under test (target), the
# throwaway-PostgreSQL helper (localpg), the real wrk for side-by-side runs
# and the bench/ scripts. docker-compose.yml runs it twice: as `app` (the
# default command, target) and as `tester` (idles; `docker compose exec`).
# Checked by `go test ./deploy/` (no Docker engine needed).

# GO_VERSION follows the go directive of go.mod (major.minor; the image
# brings the newest patch release).
ARG GO_VERSION=1.26

# --- build: static binaries, exactly the Makefile's `build` commands -------
FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Static binaries: the runtime stage has no Go toolchain and needs no libc
# match. Nothing in the project uses cgo.
ENV CGO_ENABLED=0
COPY . .
# The module and build caches live in BuildKit cache mounts, so a rebuild
# after a source change recompiles only what changed, and only the modules
# these three commands need are downloaded (not the test-only ones).
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -o /out/gowrk ./cmd/gowrk
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -o /out/target ./cmd/target
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -o /out/localpg ./cmd/localpg

# --- runtime: small Debian with the real wrk ------------------------------
FROM debian:bookworm-slim AS runtime
# wrk comes from Debian's own package (no binary from anywhere else);
# curl serves the app's healthcheck and manual pokes, ca-certificates HTTPS
# targets.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        wrk ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
# Nothing here needs root: the app and the generators run as `gowrk`.
RUN groupadd --system --gid 10001 gowrk \
    && useradd --system --uid 10001 --gid gowrk --home-dir /app --shell /usr/sbin/nologin gowrk
COPY --from=build /out/gowrk /out/target /out/localpg /usr/local/bin/
COPY bench/ /app/bench/
# bench/results is where runs write (a named volume in compose, which takes
# this directory's owner when first mounted, so `gowrk` can write there).
RUN mkdir -p /app/bench/results && chown -R gowrk:gowrk /app/bench/results
WORKDIR /app
USER gowrk
# Inside a container the target must listen on all interfaces; compose and
# `docker run -p` decide who can reach it. (localpg needs PostgreSQL's
# server binaries, which this image does not carry: in compose, `db` is the
# database.)
ENV TARGET_LISTEN=0.0.0.0:3000
EXPOSE 3000
# A CMD, not an ENTRYPOINT: `app` runs the target as is, and the tester's
# `command: sleep infinity` (or `docker run IMAGE gowrk ...`) replaces it.
CMD ["target"]
