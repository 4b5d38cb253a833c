package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"
)

// The /backup protocol. The copy is streamed as it is read, so its size
// and any error can only follow it, in trailers; a client must not trust
// a copy without the size trailer matching what it received.
const (
	BackupPath    = "/backup"
	TrailerSize   = "Kept-Backup-Size"
	TrailerError  = "Kept-Backup-Error"
	shutdownGrace = 5 * time.Second
)

// Options are what the HTTP endpoints report on.
type Options struct {
	// Ready says whether Kept can serve: nil while the socket is connected
	// and the database open, else why not.
	Ready func() error
	// Backup writes a consistent copy of the database (store.Backup); nil
	// turns /backup off.
	Backup func(io.Writer) (int64, error)
	Log    *slog.Logger
}

// NewHandler serves /metrics, /healthz and, to loopback clients only,
// /backup.
func NewHandler(m *Metrics, opts Options) http.Handler {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := opts.Ready(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "not ready: %v\n", err)
			return
		}
		io.WriteString(w, "ok\n")
	})
	if opts.Backup != nil {
		mux.HandleFunc("GET "+BackupPath, func(w http.ResponseWriter, r *http.Request) {
			serveBackup(w, r, opts)
		})
	}
	return mux
}

func serveBackup(w http.ResponseWriter, r *http.Request, opts Options) {
	// The listener may face the network (:9090 in a container, for
	// Prometheus); the database may not.
	if !loopback(r.RemoteAddr) {
		http.Error(w, "backups are served to local clients only: run `kept backup` on the same host (docker exec)", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Trailer", TrailerSize+", "+TrailerError)
	began := time.Now()
	n, err := opts.Backup(w)
	if err != nil {
		w.Header().Set(TrailerError, err.Error())
		opts.Log.Error("backup failed", "client", r.RemoteAddr, "bytes", n, "err", err)
		return
	}
	w.Header().Set(TrailerSize, strconv.FormatInt(n, 10))
	opts.Log.Info("backup served", "client", r.RemoteAddr, "bytes", n, "took", time.Since(began))
}

func loopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// Listen binds addr at start-up, so that a port in use stops Kept with a
// clear error instead of failing later in the background.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on KEPT_METRICS_ADDR %s: %w", addr, err)
	}
	return ln, nil
}

// Serve serves h on ln until ctx is done, then gives requests in flight
// (a backup) a few seconds to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("metrics: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics: serve: %w", err)
	}
	return nil
}

// LocalURL is the base URL a client on the same host uses to reach a kept
// listening on addr (KEPT_METRICS_ADDR): an unspecified host (":9090",
// "0.0.0.0:9090") is reached over loopback, as /backup requires.
func LocalURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("metrics: KEPT_METRICS_ADDR %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}
