package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/daemon"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

// startKept runs Kept in-process against a fresh simulator, with its ops
// listener on a free loopback port, until the test ends.
func startKept(t *testing.T, opts slacksim.Options) (*slacksim.Server, *daemon.Daemon) {
	t.Helper()
	return startKeptAt(t, opts, filepath.Join(t.TempDir(), "kept.db"))
}

func startKeptAt(t *testing.T, opts slacksim.Options, db string) (*slacksim.Server, *daemon.Daemon) {
	t.Helper()
	sim, err := slacksim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	sim.AddUser(slacksim.User{ID: "U0ANN", Name: "ann", TZ: "America/New_York"})
	sim.AddChannel(slacksim.Channel{ID: "C0SALES", Name: "sales", Members: []string{"U0ANN"}})
	cfg := config.Config{
		AppToken: "xapp-1-sim", BotToken: "xoxb-sim", APIURL: sim.URL(),
		DB:   db,
		Tick: time.Hour, OverdueAfter: 24 * time.Hour, Zone: time.UTC,
		MetricsAddr: "127.0.0.1:0",
	}
	d, err := daemon.New(cfg, daemon.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("kept stopped with %v", err)
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := sim.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, wctx, d.Bot.Connected)
	return sim, d
}

// eventually waits for cond, which the bot's socket goroutine makes true
// over real connections: there is no event to wait on, so it polls.
func eventually(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("gave up waiting:", ctx.Err())
		case <-tick.C:
		}
	}
}

// keptEnv is the environment the admin commands get for a running d.
func keptEnv(d *daemon.Daemon, sim *slacksim.Server, db string, extra ...string) func(string) string {
	m := map[string]string{
		"SLACK_APP_TOKEN": "xapp-1-sim", "SLACK_BOT_TOKEN": "xoxb-sim", "SLACK_API_URL": sim.URL(),
		"KEPT_DB": db, "KEPT_METRICS_ADDR": d.OpsAddr(),
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return env(m)
}

func runKept(getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, getenv, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func healthz(t *testing.T, d *daemon.Daemon) int {
	t.Helper()
	res, err := http.Get("http://" + d.OpsAddr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestHealthzFollowsSocket: ready while connected, not while Slack cannot
// be reached, ready again after the reconnect, which /metrics counts.
func TestHealthzFollowsSocket(t *testing.T) {
	sim, d := startKept(t, slacksim.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	getenv := keptEnv(d, sim, "unused.db")
	if code := healthz(t, d); code != http.StatusOK {
		t.Fatalf("/healthz = %d while connected", code)
	}
	if code, out, errs := runKept(getenv, "health"); code != 0 || out != "ok\n" {
		t.Errorf("kept health = %d, %q %q while connected", code, out, errs)
	}

	// Slack goes away: the connection drops and reconnecting fails for a
	// while.
	sim.FailNext("apps.connections.open", 2, slacksim.Fault{Status: http.StatusServiceUnavailable})
	sim.DropConnections()
	eventually(t, ctx, func() bool { return !d.Bot.Connected() })
	if code := healthz(t, d); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz = %d while disconnected, want 503", code)
	}
	code, _, errs := runKept(getenv, "health")
	if code != 1 || !strings.Contains(errs, "not connected to Slack") {
		t.Errorf("kept health = %d, %q while disconnected", code, errs)
	}

	eventually(t, ctx, d.Bot.Connected)
	if code := healthz(t, d); code != http.StatusOK {
		t.Errorf("/healthz = %d after the reconnect", code)
	}
	metrics := get(t, "http://"+d.OpsAddr()+"/metrics")
	for _, want := range []string{
		"kept_socket_reconnects_total 1",
		`kept_slack_api_errors_total{code="503",method="apps.connections.open"} 2`,
		"kept_due_backlog 0",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func TestHealthNotReadyWithoutDB(t *testing.T) {
	_, d := startKept(t, slacksim.Options{})
	if err := d.Ready(); err != nil {
		t.Fatalf("Ready = %v", err)
	}
	// What the daemon does last on its way out.
	d.Store.Close()
	if err := d.Ready(); err == nil {
		t.Error("Ready with the database closed")
	}
}

func TestCommandsAreCounted(t *testing.T) {
	sim, d := startKept(t, slacksim.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, text := range []string{"list", "Acme: call back tomorrow 9am", "list"} {
		if _, err := sim.SlashCommand(ctx, "U0ANN", "C0SALES", "/promise", text); err != nil {
			t.Fatal(err)
		}
	}
	wants := []string{
		`kept_commands_total{outcome="ok",type="/promise list"} 2`,
		`kept_commands_total{outcome="ok",type="/promise text"} 1`,
		`kept_ack_seconds_count{type="/promise list"} 2`,
		"kept_due_backlog 0",
	}
	// Each envelope is counted once its ack is sent, after the answer
	// arrives here: wait for all of them.
	var m string
	eventually(t, ctx, func() bool {
		m = get(t, "http://"+d.OpsAddr()+"/metrics")
		for _, want := range wants {
			if !strings.Contains(m, want) {
				return false
			}
		}
		return true
	})
	for _, want := range wants {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(m, "Acme") {
		t.Error("what a user typed became a label")
	}
}

// TestBackupWhileWriting copies the database while promises keep being
// committed: the copy opens, checks out, holds every promise committed
// before the backup began, and nothing half-written.
func TestBackupWhileWriting(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kept.db") // held: the running kept is asked, not the file
	sim, d := startKeptAt(t, slacksim.Options{}, db)
	getenv := keptEnv(d, sim, db)
	add := func(i int) {
		if _, err := d.Store.AddPromise("", store.Promise{Team: "T0KEPT", Text: fmt.Sprintf("promise %d", i), Owner: "U0ANN", Creator: "U0ANN", Due: time.Now().Add(time.Hour)}); err != nil {
			t.Error(err)
		}
	}
	for i := range 200 {
		add(i)
	}
	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		written atomic.Int64
	)
	written.Store(200)
	wg.Go(func() {
		for i := 200; !stop.Load(); i++ {
			add(i)
			written.Add(1)
		}
	})
	before := written.Load()
	file := filepath.Join(t.TempDir(), "backup.db")
	code, out, errs := runKept(getenv, "backup", file)
	stop.Store(true)
	wg.Wait()
	if code != 0 || !strings.Contains(out, "from the running kept") || !strings.Contains(out, "verified") {
		t.Fatalf("kept backup = %d, %q, %q", code, out, errs)
	}
	if written.Load() == before {
		t.Log("no write landed during the backup; the copy is still checked")
	}
	if err := store.Verify(file); err != nil {
		t.Fatal(err)
	}
	copyStore, err := store.New(file, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := copyStore.Promises("T0KEPT", "", "")
	copyStore.Close()
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(ps)) < before {
		t.Errorf("the copy has %d promises, %d were committed before it began", len(ps), before)
	}
	ids := map[int64]bool{}
	for _, p := range ps {
		ids[p.ID] = true
	}
	for id := int64(1); id <= int64(len(ps)); id++ {
		if !ids[id] {
			t.Fatalf("the copy has %d promises but not #%d: not one consistent moment", len(ps), id)
		}
	}

	// Now quiet: a copy matches the live database exactly.
	code, _, errs = runKept(getenv, "backup", file)
	if code != 0 {
		t.Fatalf("second backup: %s", errs)
	}
	live, err := d.Store.Export()
	if err != nil {
		t.Fatal(err)
	}
	copyStore, err = store.New(file, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer copyStore.Close()
	copied, err := copyStore.Export()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(live)
	b, _ := json.Marshal(copied)
	if !bytes.Equal(a, b) {
		t.Error("a backup taken while idle does not match the live database")
	}
}

func TestBackupFallbacks(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kept.db")
	st, err := store.New(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddPromise("", store.Promise{Team: "T1", Text: "x", Owner: "U0ANN", Due: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// Held, and no socket to ask: say how to fix it, write nothing.
	file := filepath.Join(dir, "backup.db")
	code, _, errs := runKept(env(map[string]string{"KEPT_DB": db}), "backup", file)
	if code != 1 || !strings.Contains(errs, "held by a running kept") || !strings.Contains(errs, "backup socket") {
		t.Errorf("backup of a held database without a listener: %d, %q", code, errs)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a failed backup left %s", file)
	}
	st.Close()
	// Nothing runs: the file is read directly.
	code, out, errs := runKept(env(map[string]string{"KEPT_DB": db, "KEPT_METRICS_ADDR": "127.0.0.1:1"}), "backup", file)
	if code != 0 || !strings.Contains(out, "directly from") {
		t.Fatalf("backup with kept stopped: %d, %q, %q", code, out, errs)
	}
	if err := store.Verify(file); err != nil {
		t.Error(err)
	}
	code, _, errs = runKept(env(map[string]string{"KEPT_DB": filepath.Join(dir, "nope.db")}), "backup", file)
	if code != 1 || !strings.Contains(errs, "no database at") {
		t.Errorf("backup of a missing database: %d, %q", code, errs)
	}
}

func TestExportImportCommands(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	st, err := store.New(src, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"send the quote", "call back"} {
		if _, err := st.AddPromise("", store.Promise{Team: "T1", Text: text, Owner: "U0ANN", Creator: "U0ANN", Due: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	for _, format := range []string{"json", "csv"} {
		file := filepath.Join(dir, "export."+format)
		code, _, errs := runKept(env(map[string]string{"KEPT_DB": src}), "export", "-format", format, "-o", file)
		if code != 0 {
			t.Fatalf("export %s: %s", format, errs)
		}
		code, out, errs := runKept(env(map[string]string{"KEPT_DB": dst}), "import", file)
		if code != 0 {
			t.Fatalf("import %s: %s", format, errs)
		}
		want := "promises: 2 added, 0 updated, 0 unchanged\n"
		if format == "csv" { // the JSON import came first
			want = "promises: 0 added, 0 updated, 2 unchanged\n"
		}
		if out != want {
			t.Errorf("import %s said %q, want %q", format, out, want)
		}
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("team,id,text,owner,due\nT1,7,ok,U0ANN,2026-11-24T15:00:00Z\nT1,8,bad,U0ANN,friday\n"), 0o600)
	code, _, errs := runKept(env(map[string]string{"KEPT_DB": dst}), "import", bad)
	if code != 1 || !strings.Contains(errs, "nothing imported: "+bad+":3: due is \"friday\"") {
		t.Errorf("a bad row: %d, %q", code, errs)
	}
	st, err = store.New(dst, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Promise("T1", 7); err == nil {
		t.Error("the good row before the bad one was imported")
	}
}

func TestImportWhileRunning(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kept.db")
	sim, d := startKeptAt(t, slacksim.Options{}, db)
	file := filepath.Join(t.TempDir(), "c.csv")
	os.WriteFile(file, []byte("team,name\nT1,Acme\n"), 0o600)
	code, _, errs := runKept(keptEnv(d, sim, db), "import", file)
	if code != 1 || !strings.Contains(errs, "held by a running kept; stop it") {
		t.Errorf("import while kept runs: %d, %q", code, errs)
	}
}

// TestBackupNotOverTCP: the ops listener faces the network; /backup is
// refused there whoever asks and whatever Host they name, and the copy is
// served on the owner-only socket beside the database instead.
func TestBackupNotOverTCP(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kept.db")
	sim, d := startKeptAt(t, slacksim.Options{}, db)
	for _, host := range []string{"", "localhost", "attacker.example"} {
		req, _ := http.NewRequest("GET", "http://"+d.OpsAddr()+"/backup", nil)
		if host != "" {
			req.Host = host
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden || bytes.Contains(body, []byte("bolt")) || len(body) > 1024 {
			t.Errorf("GET /backup over TCP, Host %q: %d, %d bytes", host, res.StatusCode, len(body))
		}
	}
	if got := d.BackupSocket(); got != db+".sock" {
		t.Fatalf("backup socket %q, want %q", got, db+".sock")
	}
	fi, err := os.Stat(db + ".sock")
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("backup socket: %v, %v; want an owner-only socket", fi.Mode(), err)
	}
	code, out, errs := runKept(keptEnv(d, sim, db), "backup", filepath.Join(t.TempDir(), "b.db"))
	if code != 0 || !strings.Contains(out, "from the running kept") {
		t.Errorf("kept backup: %d %q %q", code, out, errs)
	}
}
