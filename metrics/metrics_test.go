package metrics

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// TestTransport: Slack's errors come as HTTP 200 with ok:false, as HTTP
// statuses, or as no answer at all; each is counted by method and code,
// and slack-go still reads the whole body.
func TestTransport(t *testing.T) {
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/chat.postMessage":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"ok":false,"error":"channel_not_found"}`)
		case "/api/users.info":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":true,"user":{"id":"U1"}}`)
		case "/api/views.open":
			w.WriteHeader(http.StatusTooManyRequests)
		case "/api/chat.update":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":false,"error":"Robert'); DROP TABLE"}`)
		}
	}))
	defer slack.Close()
	m := New(nil)
	client := &http.Client{Transport: m.Transport(nil)}
	for _, method := range []string{"chat.postMessage", "chat.postMessage", "users.info", "views.open", "chat.update"} {
		res, err := client.Post(slack.URL+"/api/"+method, "application/x-www-form-urlencoded", strings.NewReader("token=x"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if method == "users.info" && string(body) != `{"ok":true,"user":{"id":"U1"}}` {
			t.Errorf("the body slack-go gets is %q", body)
		}
	}
	if _, err := client.Get("http://127.0.0.1:1/api/auth.test"); err == nil {
		t.Fatal("a closed port answered")
	}
	got := scrape(t, m)
	for _, want := range []string{
		`kept_slack_api_errors_total{code="channel_not_found",method="chat.postMessage"} 2`,
		`kept_slack_api_errors_total{code="429",method="views.open"} 1`,
		`kept_slack_api_errors_total{code="network",method="auth.test"} 1`,
		`kept_slack_api_errors_total{code="other",method="chat.update"} 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(got, `method="users.info"`) {
		t.Error("a successful call was counted as an error")
	}
}

func TestHandler(t *testing.T) {
	var ready error
	backlog := 3
	var backlogErr error
	m := New(func() (int, error) { return backlog, backlogErr })
	m.Handled("/promise list", "ok", 40*time.Millisecond)
	m.Nudged("reminder", "sent")
	m.Reconnected()
	h := NewHandler(m, Options{
		Ready: func() error { return ready },
		Backup: func(w io.Writer) (int64, error) {
			n, err := w.Write([]byte("bolt"))
			return int64(n), err
		},
	})
	do := func(path, remote string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	tests := []struct {
		name, path, remote string
		setup              func()
		code               int
		body               string
	}{
		{"ready", "/healthz", "10.0.0.9:5000", nil, 200, "ok\n"},
		{"not ready", "/healthz", "10.0.0.9:5000", func() { ready = errors.New("not connected to Slack") }, 503, "not ready: not connected to Slack\n"},
		{"metrics", "/metrics", "10.0.0.9:5000", nil, 200, `kept_ack_seconds_bucket{type="/promise list",le="0.05"} 1`},
		{"nudges", "/metrics", "10.0.0.9:5000", nil, 200, `kept_nudges_total{kind="reminder",outcome="sent"} 1`},
		{"backlog", "/metrics", "10.0.0.9:5000", nil, 200, "kept_due_backlog 3"},
		{"backlog unreadable, rest served", "/metrics", "10.0.0.9:5000", func() { backlogErr = errors.New("closed") }, 200, "kept_socket_reconnects_total 1"},
		// Never over TCP, not even to loopback: a reverse proxy on the
		// host, or a page that rebinds its name to 127.0.0.1, is loopback.
		{"no backup to loopback", "/backup", "127.0.0.1:5000", nil, 403, "not served over TCP"},
		{"no backup to the network", "/backup", "10.0.0.9:5000", nil, 403, "not served over TCP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			rec := do(tt.path, tt.remote)
			if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("GET %s from %s = %d %q, want %d with %q", tt.path, tt.remote, rec.Code, rec.Body.String(), tt.code, tt.body)
			}
		})
	}
	if got := scrape(t, m); strings.Contains(got, "kept_due_backlog") {
		t.Error("an unreadable backlog was reported")
	}
}

// TestBackupSocket: the backup socket is owner-only, serves a copy to a
// request for localhost, refuses one that names another host (a DNS
// rebinding page's), and a socket left by a killed kept is replaced.
func TestBackupSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "kb") // short: a socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := BackupSocket(filepath.Join(dir, "kept.db"))
	stale, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close() // as SIGKILL leaves it: the file, nobody listening
	ln, err := ListenBackup(sock)
	if err != nil {
		t.Fatalf("ListenBackup over a stale socket: %v", err)
	}
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("socket mode %v (%v), want owner-only", fi.Mode(), err)
	}
	if _, err := ListenBackup(sock); err == nil {
		t.Error("a second ListenBackup on a live socket succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ln, BackupHandler(Options{Backup: func(w io.Writer) (int64, error) {
			n, err := w.Write([]byte("bolt"))
			return int64(n), err
		}}))
	}()
	defer func() { cancel(); <-done }()
	for host, want := range map[string]int{"localhost": 200, "127.0.0.1:9090": 200, "[::1]": 200, "evil.example": 403, "10.0.0.9": 403, "localhost.evil.example": 403} {
		req, _ := http.NewRequest("GET", BackupURL, nil)
		req.Host = host
		res, err := BackupClient(sock).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want || (want == 200) != (string(body) == "bolt") {
			t.Errorf("Host %s: %d %q, want %d", host, res.StatusCode, body, want)
		}
	}
}

// TestBackupTrailers: the size trailer comes only after a whole copy; a
// failed copy says why in the error trailer instead.
func TestBackupTrailers(t *testing.T) {
	for _, fail := range []bool{false, true} {
		h := BackupHandler(Options{Backup: func(w io.Writer) (int64, error) {
			n, _ := w.Write(bytes.Repeat([]byte("x"), 100))
			if fail {
				return int64(n), errors.New("disk on fire")
			}
			return int64(n), nil
		}})
		srv := httptest.NewServer(h)
		res, err := http.Get(srv.URL + BackupPath)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		srv.Close()
		size, errText := res.Trailer.Get(TrailerSize), res.Trailer.Get(TrailerError)
		if fail && (size != "" || errText != "disk on fire") || !fail && (size != "100" || errText != "") {
			t.Errorf("fail=%v: trailers size %q, error %q", fail, size, errText)
		}
	}
}

func TestLocalURL(t *testing.T) {
	for addr, want := range map[string]string{
		":9090":          "http://127.0.0.1:9090",
		"0.0.0.0:9090":   "http://127.0.0.1:9090",
		"[::]:9090":      "http://[::1]:9090",
		"127.0.0.1:9191": "http://127.0.0.1:9191",
	} {
		if got, err := LocalURL(addr); err != nil || got != want {
			t.Errorf("LocalURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
}
