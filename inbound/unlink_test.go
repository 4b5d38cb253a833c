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

// TestUnlinkChecksEvenWhenTheLookupFails: who may unlink a channel is
// its customer's owner or an admin. When the store cannot say whose the
// channel is, nothing is unlinked: the check is not skipped.
func TestUnlinkChecksEvenWhenTheLookupFails(t *testing.T) {
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
	b := New(flakyChannels{st}, fuzzSlack{}, nil, Config{Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	cmd := slack.SlashCommand{TeamID: "T1", ChannelID: "C0ACME", UserID: "U0BOB", Command: "/customer", Text: "unlink"}
	b.reply(context.Background(), "op-unlink", cmd)
	if c, err := st.ChannelCustomer("T1", "C0ACME"); err != nil || c.Name != "Acme" {
		t.Errorf("bob's unlink, with the lookup failing, unlinked the channel: %v, %v", c.Name, err)
	}
}
