//go:build crash || failover

package main

// What the crash test and the failover test share: the real binary, the
// simulator they drive it against, and the count that proves a nudge was
// delivered exactly once, by nudge id, between what the database says and
// what Slack shows.

import (
	"maps"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/keptbot/kept/notify"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

// buildKept builds the kept binary, as it ships.
func buildKept(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kept")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// killSim is the simulator both tests drive, on the real clock: Ann in
// New York and Bob in Paris, both in #sales, which Kept is in too (the
// digest goes there).
func killSim(t *testing.T) (*slacksim.Server, []string) {
	t.Helper()
	sim, err := slacksim.New(slacksim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	users := []string{"U0ANN", "U0BOB"}
	sim.AddUser(slacksim.User{ID: "U0ANN", Name: "ann", TZ: "America/New_York"})
	sim.AddUser(slacksim.User{ID: "U0BOB", Name: "bob", TZ: "Europe/Paris"})
	sim.AddChannel(slacksim.Channel{ID: "C0SALES", Name: "sales", Members: append(users, sim.BotUserID())})
	return sim, users
}

// shownNudges is every message Slack shows that carries Kept's kept_nudge
// metadata, by nudge id: how many, and the last of them.
func shownNudges(sim *slacksim.Server) (map[int64]int, map[int64]slacksim.Message) {
	count, last := map[int64]int{}, map[int64]slacksim.Message{}
	for _, m := range sim.Messages() {
		if m.Metadata != nil && m.Metadata.EventType == "kept_nudge" {
			// An owner's gathered check-ins name every prompt they carry.
			for _, id := range notify.Carried(m.Metadata.EventPayload) {
				count[id]++
				last[id] = m
			}
		}
	}
	return count, last
}

// checkOnce holds every nudge in the database to what Slack shows: a sent
// nudge shown exactly once, nothing shown that the database does not
// have. A nudge that is not sent is missing, unless dropped says it was
// rightly dropped (what it was for moved on before it went out), and then
// Slack must show nothing for it. dropped may be nil: nothing may be.
func checkOnce(t *testing.T, nudges []store.Nudge, shown map[int64]int, dropped func(store.Nudge) bool) (duplicates, missing int) {
	t.Helper()
	shown = maps.Clone(shown)
	for _, n := range nudges {
		switch {
		case n.State == store.NudgeDropped && dropped != nil && dropped(n):
			if shown[n.ID] > 0 {
				duplicates += shown[n.ID]
				t.Errorf("%s nudge %d (#%d %s) was dropped as stale (%s), yet Slack shows %d message(s) for it", n.Kind, n.ID, n.PromiseID, n.Subject, n.Error, shown[n.ID])
			}
		case n.State != store.NudgeSent:
			missing++
			t.Errorf("%s nudge %d (#%d %s) is %s (%s)", n.Kind, n.ID, n.PromiseID, n.Subject, n.State, n.Error)
		case shown[n.ID] == 0:
			missing++
			t.Errorf("%s nudge %d (#%d %s) is marked sent, Slack has no message for it", n.Kind, n.ID, n.PromiseID, n.Subject)
		case shown[n.ID] > 1:
			duplicates += shown[n.ID] - 1
			t.Errorf("%s nudge %d (#%d %s) was posted %d times", n.Kind, n.ID, n.PromiseID, n.Subject, shown[n.ID])
		}
		delete(shown, n.ID)
	}
	for id, c := range shown {
		duplicates += c
		t.Errorf("Slack shows %d message(s) for nudge %d, which the database does not have", c, id)
	}
	return duplicates, missing
}
