package notify

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/workhours"
)

var newYork, _ = time.LoadLocation("America/New_York")

const day = 24 * time.Hour

// okSlack answers the notifier's Web API calls with success.
type okSlack struct{}

func (okSlack) GetUserInfoContext(_ context.Context, user string, _ ...slack.GetUserInfoOption) (*slack.User, error) {
	return &slack.User{ID: user, TZ: "America/New_York"}, nil
}

func (okSlack) PostMessageContext(_ context.Context, ch string, _ ...slack.MsgOption) (string, string, error) {
	return ch, "1.000001", nil
}

// testNotifier is a Notifier on a fresh database with Slack answering
// yes, at now.
func testNotifier(t *testing.T, now *time.Time) (*Notifier, *store.Bolt) {
	t.Helper()
	st, err := store.New(filepath.Join(t.TempDir(), "kept.db"), store.Options{Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	n := New(st, okSlack{}, Config{Now: func() time.Time { return *now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return n, st
}

// TestCheckinHeldOutsideWorkHours: a prompt due at 3 am New York time waits
// for 9:00 there, as a LaterError, so that it holds back nothing else.
func TestCheckinHeldOutsideWorkHours(t *testing.T) {
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, newYork)
	b, st := testNotifier(t, &now)
	if _, err := st.AddCustomer("", store.Customer{Team: "T1", Name: "Acme", Owner: "U0ANN", Cadence: 14 * day, Created: now.Add(-15 * day)}); err != nil {
		t.Fatal(err)
	}
	ns, err := st.ClaimCheckins(now, 0)
	if err != nil || len(ns) != 1 {
		t.Fatalf("claimed %d, %v", len(ns), err)
	}
	_, _, err = b.Deliver(context.Background(), ns[0])
	var later *outbox.LaterError
	if !errors.As(err, &later) || !later.Until.Equal(time.Date(2026, 11, 24, 9, 0, 0, 0, newYork)) {
		t.Fatalf("Deliver at 3 am = %v, want to wait until 9:00", err)
	}
	now = later.Until
	if ch, ts, err := b.Deliver(context.Background(), ns[0]); err != nil || ch == "" || ts == "" {
		t.Fatalf("Deliver at 9:00 = %q %q %v", ch, ts, err)
	}
	// Touched since it was queued: the prompt has nothing left to ask.
	if _, err := st.AddTouch("", store.Touch{Team: "T1", Customer: "acme", By: "U0ANN", Kind: "call"}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	if ch, _, err := b.Deliver(context.Background(), ns[0]); err != nil || ch != "" {
		t.Fatalf("Deliver after a touch = %q, %v; want nothing sent", ch, err)
	}
	// Configured hours apply.
	b.cfg.WorkHours, _ = workhours.Parse("Sat 10:00-11:00")
	if wh := b.cfg.WorkHours.OrDefault(); wh.String() != "Sat 10:00-11:00" {
		t.Errorf("workHours = %v", wh)
	}
}
