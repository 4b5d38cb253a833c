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
	"os"
	"strconv"
	"strings"
	"syscall"
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
	// Backup writes a consistent copy of the database (store.Backup), for
	// BackupHandler.
	Backup func(io.Writer) (int64, error)
	// Role, if set, is added to a ready /healthz answer: whether this
	// replica schedules ("ok: scheduling, term 3") or stands by.
	Role func() string
	Log  *slog.Logger
}

// NewHandler serves /metrics and /healthz on KEPT_METRICS_ADDR, which may
// face the network (:9090 in a container, for Prometheus). /backup is not
// served there: a TCP peer, or a browser on the host led there by DNS
// rebinding, would get the whole database. It answers 403 and points to
// the backup socket (BackupHandler).
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
		if opts.Role != nil {
			fmt.Fprintf(w, "ok: %s\n", opts.Role())
			return
		}
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc(BackupPath, func(w http.ResponseWriter, r *http.Request) {
		opts.Log.Warn("backup refused over TCP", "client", r.RemoteAddr, "host", r.Host)
		http.Error(w, "backups are not served over TCP: run `kept backup FILE` on the same host (docker exec), which asks kept on the Unix socket beside its database", http.StatusForbidden)
	})
	return mux
}

// BackupSocket is where a kept whose database is db serves /backup: a
// Unix socket beside the file, for its owner only. Whoever may read the
// database file may have a copy; nobody else, on the network or not, can
// connect.
func BackupSocket(db string) string { return db + ".sock" }

// BackupHandler serves /backup, for the backup socket only. A request
// whose Host is not local is refused too: no browser is sent there.
func BackupHandler(opts Options) http.Handler {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+BackupPath, func(w http.ResponseWriter, r *http.Request) {
		if !localHost(r.Host) {
			opts.Log.Warn("backup refused: the request names another host", "host", r.Host)
			http.Error(w, "backups are served to requests for localhost only", http.StatusForbidden)
			return
		}
		serveBackup(w, opts)
	})
	return mux
}

func serveBackup(w http.ResponseWriter, opts Options) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Trailer", TrailerSize+", "+TrailerError)
	began := time.Now()
	n, err := opts.Backup(w)
	if err != nil {
		w.Header().Set(TrailerError, err.Error())
		opts.Log.Error("backup failed", "bytes", n, "err", err)
		return
	}
	w.Header().Set(TrailerSize, strconv.FormatInt(n, 10))
	opts.Log.Info("backup served", "bytes", n, "took", time.Since(began))
}

// localHost reports whether a request's Host names this machine:
// localhost or a loopback address, with or without a port.
func localHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// ListenBackup binds the backup socket at path, owner-only. A socket file
// left by a kept that was killed is removed first; one that answers
// belongs to a running kept, which the database lock has already ruled
// out, so it is an error.
func ListenBackup(path string) (net.Listener, error) {
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("metrics: a process answers on the backup socket %s already", path)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("metrics: remove the stale backup socket: %w", err)
		}
	}
	// Created owner-only from the start, not chmod-ed after: there is no
	// moment when another user could connect.
	old := syscall.Umask(0o077)
	ln, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on the backup socket %s: %w", path, err)
	}
	return ln, nil
}

// BackupClient is an HTTP client that reaches the kept serving the backup
// socket at path, whatever the URL's host: ask it for BackupURL.
func BackupClient(path string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
}

// BackupURL is the URL to ask with BackupClient.
const BackupURL = "http://localhost" + BackupPath

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
// "0.0.0.0:9090") is reached over loopback.
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
