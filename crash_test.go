//go:build crash

package main

// The crash test: the real kept binary against the simulator, killed with
// SIGKILL at random moments while commands stream in and reminders go
// out, restarted, many times. Then every acknowledged promise must be in
// the database, every due reminder must have been DMed exactly once, and
// the database must pass bbolt's check.
//
//	go test -tags crash -run TestCrash -v .
//
// KEPT_CRASH_CYCLES (default 50) and KEPT_CRASH_SEED change the run.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

func TestCrash(t *testing.T) {
	cycles := 50
	if v, err := strconv.Atoi(os.Getenv("KEPT_CRASH_CYCLES")); err == nil && v > 0 {
		cycles = v
	}
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("KEPT_CRASH_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (KEPT_CRASH_SEED to repeat the kill schedule)", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	began := time.Now()

	bin := filepath.Join(t.TempDir(), "kept")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The simulator runs on the real clock: promises are made "in 1
	// minute" and come due while kept is being killed and restarted.
	sim, err := slacksim.New(slacksim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	users := []string{"U0ANN", "U0BOB"}
	sim.AddUser(slacksim.User{ID: "U0ANN", Name: "ann", TZ: "America/New_York"})
	sim.AddUser(slacksim.User{ID: "U0BOB", Name: "bob", TZ: "Europe/Paris"})
	sim.AddChannel(slacksim.Channel{ID: "C0SALES", Name: "sales", Members: users})
	db := filepath.Join(t.TempDir(), "kept.db")
	logs := &lockedBuffer{}

	start := func() *exec.Cmd {
		t.Helper()
		before := sim.ConnectionsOpened()
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "SLACK_APP_TOKEN=xapp-1-sim", "SLACK_BOT_TOKEN=xoxb-sim",
			"SLACK_API_URL="+sim.URL(), "KEPT_DB="+db, "KEPT_TICK=1s", "KEPT_LOG_LEVEL=warn")
		cmd.Stderr = logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := sim.Wait(ctx, func() bool { return sim.ConnectionsOpened() > before && sim.Connections() > 0 }); err != nil {
			_ = cmd.Process.Kill()
			t.Fatalf("kept did not connect: %v\nlogs:\n%s", err, logs)
		}
		return cmd
	}
	kill := func(cmd *exec.Cmd) {
		t.Helper()
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sim.Wait(ctx, func() bool { return sim.Connections() == 0 }); err != nil {
			t.Fatalf("killed kept's socket stays open: %v", err)
		}
	}

	var (
		mu      sync.Mutex
		acked   = map[string]int64{} // promise text -> number in the ack
		sent    int
		lastDue time.Time
	)
	for cycle := range cycles {
		cmd := start()
		// Slow posts, so that kills land in the window between Slack
		// taking a reminder and kept recording it: a post in flight when
		// kept is killed is still posted (the simulator, like Slack, does
		// not care that the client left). Two are kept queued, so that
		// they do not pile up across cycles.
		if n := 2 - sim.FaultsLeft("chat.postMessage"); n > 0 {
			sim.FailNext("chat.postMessage", n, slacksim.Fault{Delay: 700*time.Millisecond + time.Duration(rng.IntN(800))*time.Millisecond})
		}
		life := 300*time.Millisecond + time.Duration(rng.IntN(2200))*time.Millisecond
		ctx, stop := context.WithTimeout(context.Background(), life)
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				pace := rand.New(rand.NewPCG(seed, uint64(cycle*2+w)))
				for n := 0; ctx.Err() == nil; n++ {
					text := fmt.Sprintf("crash promise c%d w%d n%d", cycle, w, n)
					mu.Lock()
					sent++
					mu.Unlock()
					r, err := sim.SlashCommand(context.Background(), users[w], "C0SALES", "/promise", "Acme: "+text+" in 1 minute")
					if err == nil {
						var id int64
						if _, err := fmt.Sscanf(stringAfter(r.Text, "#"), "%d", &id); err != nil || id == 0 {
							t.Errorf("ack without a promise number: %q", r.Text)
						}
						mu.Lock()
						acked[text] = id
						lastDue = time.Now().Add(time.Minute)
						mu.Unlock()
					}
					// Pacing, not a clock: about 20 commands a second.
					time.Sleep(time.Duration(20+pace.IntN(60)) * time.Millisecond)
				}
			})
		}
		<-ctx.Done()
		stop()
		kill(cmd) // at a random moment: mid-command, mid-tick, mid-post
		wg.Wait()
	}

	// The last run delivers whatever came due, then it is killed too.
	cmd := start()
	mu.Lock()
	until := lastDue.Add(5 * time.Second)
	mu.Unlock()
	ctx, cancel := context.WithDeadline(context.Background(), until)
	_ = sim.Wait(ctx, func() bool { return false }) // wait for the due times, on the real clock
	cancel()
	kill(cmd)

	st, err := store.New(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		t.Errorf("database after the last kill: %v", err)
	}
	ps, err := st.Promises("T0KEPT", "", "")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]store.Promise{}
	for _, p := range ps {
		stored[p.Text] = p
	}
	lost := 0
	for text, id := range acked {
		p, ok := stored[text]
		if !ok || p.ID != id {
			lost++
			t.Errorf("acknowledged promise #%d %q is not stored (got %+v)", id, text, p)
		}
	}

	// Every reminder Slack shows, by nudge id, and every post Slack took.
	dms := map[int64]int{}
	posted := map[int64]slacksim.Message{}
	for _, m := range sim.Messages() {
		if m.Metadata != nil && m.Metadata.EventType == "kept_nudge" {
			id, _ := m.Metadata.EventPayload["nudge_id"].(float64)
			dms[int64(id)]++
			posted[int64(id)] = m
		}
	}
	byID := map[int64]store.Promise{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	lookups := 0
	for _, c := range sim.Calls() {
		if c.Method == "conversations.history" {
			lookups++
		}
	}
	nudges, err := st.Nudges("")
	if err != nil {
		t.Fatal(err)
	}
	byPromise := map[int64]int{}
	duplicates, missing, retried := 0, 0, 0
	for _, n := range nudges {
		byPromise[n.PromiseID]++
		if n.Attempts > 1 {
			retried++
		}
		switch {
		case n.State != store.NudgeSent:
			missing++
			t.Errorf("nudge %d for #%d is %s (%s)", n.ID, n.PromiseID, n.State, n.Error)
		case dms[n.ID] == 0:
			missing++
			t.Errorf("nudge %d for #%d is marked sent, Slack has no message for it", n.ID, n.PromiseID)
		case dms[n.ID] > 1:
			duplicates += dms[n.ID] - 1
			t.Errorf("nudge %d for #%d was DMed %d times", n.ID, n.PromiseID, dms[n.ID])
		}
		// Each DM went to the promise's owner, and not before it was due.
		if m, ok := posted[n.ID]; ok {
			p := byID[n.PromiseID]
			if want := sim.DMChannel(p.Owner); m.Channel != want {
				t.Errorf("nudge %d for #%d went to %s, want %s (the DM with %s)", n.ID, n.PromiseID, m.Channel, want, p.Owner)
			}
			sec, _ := strconv.ParseFloat(m.TS, 64)
			if at := time.Unix(0, int64(sec*1e9)); at.Before(p.Due.Add(-time.Second)) {
				t.Errorf("nudge %d for #%d was posted at %s, before #%d was due at %s", n.ID, n.PromiseID, at.Format(time.RFC3339Nano), p.ID, p.Due.Format(time.RFC3339Nano))
			}
		}
		delete(dms, n.ID)
	}
	for id, c := range dms {
		duplicates += c
		t.Errorf("Slack shows %d message(s) for nudge %d, which the database does not have", c, id)
	}
	due := 0
	for _, p := range ps {
		if !p.Due.After(until.Add(-3 * time.Second)) {
			due++
			if byPromise[p.ID] != 1 {
				missing++
				t.Errorf("promise #%d due %v has %d reminders, want 1", p.ID, p.Due, byPromise[p.ID])
			}
		}
	}
	figures := fmt.Sprintf("crash test: %d kill/restart cycles in %s: %d commands sent, %d acknowledged, %d stored (%d lost); "+
		"%d reminders due, %d DMs, %d duplicates, %d missing; %d nudges retried after a kill, %d history lookups (seed %d)",
		cycles, time.Since(began).Round(time.Second), sent, len(acked), len(ps), lost,
		due, len(nudges), duplicates, missing, retried, lookups, seed)
	t.Log(figures)
	fmt.Println(figures)
	if len(acked) == 0 || due == 0 {
		t.Errorf("the run proved nothing: %d acked, %d due", len(acked), due)
	}
	// Recovery must have run, or the test proved nothing about it: some
	// nudge was retried after a kill, and looked for in Slack first.
	if retried == 0 || lookups == 0 {
		t.Errorf("recovery was never exercised: %d nudges retried, %d history lookups", retried, lookups)
	}
	if t.Failed() {
		t.Logf("kept's logs:\n%s", logs)
	}
}
