package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/slacksim"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestTokensMissingOrMalformed(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"both missing", nil, []string{"SLACK_APP_TOKEN is not set", "SLACK_BOT_TOKEN is not set"}},
		{"app token is a bot token", map[string]string{"SLACK_APP_TOKEN": "xoxb-123-456", "SLACK_BOT_TOKEN": "xoxb-123-456"}, []string{"SLACK_APP_TOKEN does not look like a xapp-… token"}},
		{"bot token malformed", map[string]string{"SLACK_APP_TOKEN": "xapp-1-abc", "SLACK_BOT_TOKEN": "hello"}, []string{"SLACK_BOT_TOKEN does not look like a xoxb-… token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(nil, env(tt.env), strings.NewReader(""), &out, &errb)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
			if len(lines) != len(tt.want) {
				t.Errorf("stderr has %d lines, want %d: %q", len(lines), len(tt.want), errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr %q lacks %q", errb.String(), w)
				}
			}
		})
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"help"}, env(nil), strings.NewReader(""), &out, &out); code != 0 {
		t.Fatalf("kept help exited %d", code)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings {
		if !strings.Contains(out.String(), s.Name) {
			t.Errorf("kept help does not list %s", s.Name)
		}
		// Each setting has a row in the README's table, with its default.
		row := "| `" + s.Name + "` |"
		i := strings.Index(string(readme), row)
		if i < 0 {
			t.Errorf("README's settings table has no row for %s", s.Name)
			continue
		}
		line, _, _ := strings.Cut(string(readme)[i:], "\n")
		if s.Default != "" && !strings.Contains(line, s.Default) {
			t.Errorf("README's row for %s does not give its default %q: %s", s.Name, s.Default, line)
		}
	}
}

// TestSIGTERM runs the real binary against the simulator and stops it the
// way a container runtime does.
func TestSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "kept")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sim, err := slacksim.New(slacksim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.AddUser(slacksim.User{ID: "U0ANN", Name: "ann", TZ: "America/New_York"})
	db := filepath.Join(t.TempDir(), "kept.db")
	start := func() *exec.Cmd {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "SLACK_APP_TOKEN=xapp-1-sim", "SLACK_BOT_TOKEN=xoxb-sim", "SLACK_API_URL="+sim.URL(), "KEPT_DB="+db, "KEPT_TICK=1s")
		var logs bytes.Buffer
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		return cmd
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	cmd := start()
	if err := sim.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.SlashCommand(ctx, "U0ANN", "C0SALES", "/promise", "Acme: call back in 5 minutes"); err != nil {
		t.Fatal(err)
	}
	// A second kept on the same database fails fast and says why.
	second := exec.Command(bin)
	second.Env = cmd.Env
	out, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "in use by another kept process") {
		t.Errorf("second kept: err %v, output %q", err, out)
	}

	began := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("kept exited with %v after SIGTERM; logs:\n%s", err, cmd.Stderr)
	}
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("kept took %v to stop", took)
	}

	// Restarted, it still has the promise.
	cmd = start()
	if err := sim.Wait(ctx, func() bool { return sim.ConnectionsOpened() >= 2 && sim.Connections() == 1 }); err != nil {
		t.Fatal(err)
	}
	r, err := sim.SlashCommand(ctx, "U0ANN", "C0SALES", "/promise", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text+blocksJSON(r), "Acme") {
		t.Errorf("after restart, /promise list = %q", r.Text)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
}

func blocksJSON(r slacksim.Reply) string { return string(r.Payload) }
