# syntax=docker/dockerfile:1
# Build: a static binary, no cgo.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/kept . \
 && mkdir -p /out/data

# Run: nothing but the binary, CA certificates and a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kept /usr/local/bin/kept
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV KEPT_DB=/data/kept.db \
    KEPT_METRICS_ADDR=:9090
VOLUME ["/data"]
EXPOSE 9090
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD ["/usr/local/bin/kept", "health"]
ENTRYPOINT ["/usr/local/bin/kept"]
