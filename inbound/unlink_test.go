package inbound

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/store"
)

// flakyChannels is a store whose lookup of a channel's customer fails.
type flakyChannels struct{ *store.Bolt }

func (flakyChannels) ChannelCustomer(string, string) (store.Customer, error) {
	return store.Customer{}, errors.New("disk on fire")
}

// linkedAcme is a store with the customer Acme and its channel C0ACME.
func linkedAcme(t *testing.T) (time.Time, *store.Bolt) {
	t.Helper()
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	st, err := store.New(filepath.Join(t.TempDir(), "kept.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.AddCustomer("", store.Customer{Team: "T1", Name: "Acme", Owner: "U0ANN", Tier: store.StandardTier}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.LinkChannel("T1", "C0ACME", "Acme", "U0ANN"); err != nil {
		t.Fatal(err)
	}
	return now, st
}

// TestUnlinkChecksEvenWhenTheLookupFails: who may unlink a channel is
// its customer's owner or an admin. When the store cannot say whose the
// channel is, nothing is unlinked: the check is not skipped.
func TestUnlinkChecksEvenWhenTheLookupFails(t *testing.T) {
	now, st := linkedAcme(t)
	b := New(flakyChannels{st}, fuzzSlack{}, nil, Config{Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	cmd := slack.SlashCommand{TeamID: "T1", ChannelID: "C0ACME", UserID: "U0BOB", Command: "/customer", Text: "unlink"}
	b.reply(context.Background(), "op-unlink", cmd)
	if c, err := st.ChannelCustomer("T1", "C0ACME"); err != nil || c.Name != "Acme" {
		t.Errorf("bob's unlink, with the lookup failing, unlinked the channel: %v, %v", c.Name, err)
	}
}

// closeFails is a store whose closing of a wait fails, as a process
// killed between the two writes of an unlink would leave it.
type closeFails struct{ *store.Bolt }

func (closeFails) CloseWait(string, string, string, string) (store.Wait, error) {
	return store.Wait{}, errors.New("killed")
}

// TestUnlinkNeverLeavesAWaitBehind: unlinking a channel closes what
// waited on us there (no one can answer it where Kept listens). If the
// waits cannot be closed the channel stays linked, so that the unlink can
// be tried again: never unlinked with a wait open for good.
func TestUnlinkNeverLeavesAWaitBehind(t *testing.T) {
	now, st := linkedAcme(t)
	if _, err := st.OpenWait(store.Wait{Team: "T1", Customer: "Acme", Channel: "C0ACME", TS: "1.1", By: "U0CARA", At: now}, store.Nudge{}); err != nil {
		t.Fatal(err)
	}
	b := New(closeFails{st}, fuzzSlack{}, nil, Config{Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	cmd := slack.SlashCommand{TeamID: "T1", ChannelID: "C0ACME", UserID: "U0ANN", Command: "/customer", Text: "unlink"}
	b.reply(context.Background(), "op-unlink", cmd)
	_, linked := st.ChannelCustomer("T1", "C0ACME")
	waits, err := st.CustomerWaits("T1", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if linked != nil && len(waits) > 0 {
		t.Errorf("the channel is unlinked (%v) with its wait still open: %+v", linked, waits)
	}
}
