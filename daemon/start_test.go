package daemon_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/daemon"
	"github.com/keptbot/kept/slacksim"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startCfg(t *testing.T, api, botToken string) config.Config {
	return config.Config{AppToken: "xapp-1-sim", BotToken: botToken, APIURL: api,
		DB: filepath.Join(t.TempDir(), "kept.db"), Tick: time.Hour, Zone: time.UTC}
}

// TestRefusedBotTokenStopsKept: a bot token Slack refuses stops Kept at
// start with what to do, and it never says it is connected.
func TestRefusedBotTokenStopsKept(t *testing.T) {
	for _, code := range []string{"token_revoked", "invalid_auth", "account_inactive"} {
		t.Run(code, func(t *testing.T) {
			sim, err := slacksim.New(slacksim.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			sim.FailNext("auth.test", 1, slacksim.Fault{Error: code})
			logs := &syncBuffer{}
			d, err := daemon.New(startCfg(t, sim.URL(), "xoxb-sim"), daemon.Options{Log: slog.New(slog.NewTextHandler(logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = d.Run(ctx)
			if err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN refused by Slack ("+code+")") || ctx.Err() != nil {
				t.Fatalf("Run: %v; want it to stop with the refusal", err)
			}
			if strings.Contains(logs.String(), "connected") || sim.ConnectionsOpened() != 0 {
				t.Errorf("Kept connected with a refused token:\n%s", logs)
			}
		})
	}
}

// TestSlackUnreachableAtStart: from the first attempt Kept says what
// fails and when it tries next, and it keeps trying until stopped.
func TestSlackUnreachableAtStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	logs := &syncBuffer{}
	d, err := daemon.New(startCfg(t, "http://"+addr+"/api/", "xoxb-sim"), daemon.Options{Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "cannot reach Slack") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling the log, not the clock under test
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	line := logs.String()
	for _, want := range []string{"cannot reach Slack to check the bot token", "attempt=1", "connection refused", "next_try=", "in=1s"} {
		if !strings.Contains(line, want) {
			t.Errorf("the first attempt's log lacks %q:\n%s", want, line)
		}
	}
	if strings.Contains(line, "connected to Slack") {
		t.Errorf("logged connected:\n%s", line)
	}
}

// TestSocketModeUnreachableIsLogged: the bot token checks out but Socket
// Mode cannot connect: each failed try is logged with the next one.
func TestSocketModeUnreachableIsLogged(t *testing.T) {
	sim, err := slacksim.New(slacksim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.FailNext("apps.connections.open", 1, slacksim.Fault{Status: 503})
	logs := &syncBuffer{}
	d, err := daemon.New(startCfg(t, sim.URL(), "xoxb-sim"), daemon.Options{Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := sim.WaitConnected(wctx); err != nil {
		t.Fatalf("no connection after the 503: %v\n%s", err, logs)
	}
	if l := logs.String(); !strings.Contains(l, "cannot connect to Slack (Socket Mode)") || !strings.Contains(l, "next_try=") {
		t.Errorf("the failed try was not logged with the next one:\n%s", l)
	}
}
