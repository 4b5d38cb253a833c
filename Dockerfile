# syntax=docker/dockerfile:1
# Build: a static binary, no cgo, the time zone database built in (each
# person's reminders are read in their own zone).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags="-s -w" -o /out/kept . \
 && mkdir -p /out/data

# Run: nothing but the binary, CA certificates and the non-root user
# (65532, "nonroot" in distroless).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kept /usr/local/bin/kept
# A named volume starts as a copy of this directory, so it is the
# nonroot user's; a bind mount must be made writable for 65532 by hand.
COPY --from=build --chown=65532:65532 /out/data /data
ENV KEPT_DB=/data/kept.db \
    KEPT_METRICS_ADDR=:9090
VOLUME ["/data"]
WORKDIR /data
EXPOSE 9090
USER 65532:65532
# `kept health` asks the running kept's /healthz on KEPT_METRICS_ADDR
# (distroless has no curl): healthy while connected to Slack with the
# database open.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/usr/local/bin/kept", "health"]
ENTRYPOINT ["/usr/local/bin/kept"]
