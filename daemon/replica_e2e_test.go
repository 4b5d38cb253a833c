package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/clock"
	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/daemon"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg"
	"github.com/keptbot/kept/store/pg/pgtest"
)

// replicaSet is several kept processes on one PostgreSQL database, each
// with its own Socket Mode connection to the simulator, which spreads
// envelopes over them in turn as Slack does over an app's connections.
type replicaSet struct {
	*env
	ds    []*daemon.Daemon
	stops []func()
}

func startReplicas(t *testing.T, n int) *replicaSet {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 23, 10, 0, 0, 0, newYork))
	sim, err := slacksim.New(slacksim.Options{TeamID: team, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	sim.AddUser(slacksim.User{ID: ann, Name: "ann", RealName: "Ann Archer", TZ: "America/New_York"})
	sim.AddUser(slacksim.User{ID: bob, Name: "bob", RealName: "Bob Brun", TZ: "Europe/Paris"})
	sim.AddChannel(slacksim.Channel{ID: chan_, Name: "sales", Members: []string{ann, bob}})
	rs := &replicaSet{env: &env{t: t, sim: sim, clock: clk, cfg: config.Config{
		AppToken: "xapp-1-sim", BotToken: "xoxb-sim", APIURL: sim.URL(),
		DB:   pgtest.Shared(t).NewDatabase(t),
		Tick: time.Hour, OverdueAfter: 24 * time.Hour, Zone: time.UTC, Lease: 2 * time.Second,
	}}}
	for range n {
		rs.add()
	}
	rs.waitLeader()
	return rs
}

// add starts one more replica and waits for its connection.
func (rs *replicaSet) add() {
	rs.t.Helper()
	before := rs.sim.Connections()
	d, err := daemon.New(rs.cfg, daemon.Options{Now: rs.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		rs.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			rs.t.Errorf("replica stopped with %v", err)
		}
	}
	rs.t.Cleanup(stop)
	rs.ds, rs.stops = append(rs.ds, d), append(rs.stops, stop)
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := rs.sim.Wait(wctx, func() bool { return rs.sim.Connections() > before }); err != nil {
		rs.t.Fatalf("replica did not connect: %v", err)
	}
}

// waitLeader waits until exactly one live replica schedules, and returns it.
func (rs *replicaSet) waitLeader() int {
	rs.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		leader, count := -1, 0
		for i, d := range rs.ds {
			if on, _ := d.Scheduling(); on {
				leader, count = i, count+1
			}
		}
		if count > 1 {
			rs.t.Fatalf("%d replicas schedule at once", count)
		}
		if count == 1 {
			rs.d = rs.ds[leader]
			return leader
		}
		time.Sleep(10 * time.Millisecond)
	}
	rs.t.Fatal("no replica took the scheduling term within 10s")
	return -1
}

// tickAll ticks the given replicas' schedulers in that order, as their
// loops would if a standby's ran: the leader's tick delivers, a standby's
// that finds work is fenced off. It returns how many were.
func (rs *replicaSet) tickAll(live ...int) (fenced int) {
	rs.t.Helper()
	for _, i := range live {
		err := rs.ds[i].Scheduler.Tick(rs.ctx())
		on, _ := rs.ds[i].Scheduling()
		switch {
		case on && err != nil:
			rs.t.Fatalf("the scheduling replica's tick: %v", err)
		case !on && errors.Is(err, pg.ErrFenced):
			fenced++
		case !on && err != nil:
			rs.t.Fatalf("a standby's tick: %v, want nil or fenced off", err)
		}
	}
	return fenced
}

// Two replicas answer commands, clicks and forms whichever gets them; a
// redelivered envelope on the other replica takes effect once; one
// replica schedules, every reminder is DMed once; when it stops, the
// other takes over in a new term and reminds what comes due next.
func TestReplicas(t *testing.T) {
	pgtest.Require(t)
	rs := startReplicas(t, 2)
	if n := rs.sim.Connections(); n != 2 {
		t.Fatalf("%d Socket Mode connections, want one per replica", n)
	}
	due := time.Date(2026, 11, 23, 12, 0, 0, 0, newYork)
	for i := range 6 {
		user := []string{ann, bob}[i%2]
		r := rs.slash(user, fmt.Sprintf("Acme: call back %d in 2 hours", i+1))
		if got := replyText(r); !strings.Contains(got, fmt.Sprintf("#%d", i+1)) {
			t.Fatalf("promise %d answered %q", i+1, got)
		}
	}
	// The same envelope twice: the simulator hands it to the other
	// replica the second time.
	envl := rs.sim.SlashCommandEnvelope(ann, chan_, "/promise", "Globex: send the deck in 2 hours")
	var replies []string
	for range 2 {
		r, err := rs.sim.Deliver(rs.ctx(), envl)
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, replyText(r))
	}
	if replies[0] != replies[1] || !strings.Contains(replies[0], "#7") {
		t.Fatalf("a redelivered command answered %q", replies)
	}
	// A form, opened on one replica and submitted through the other.
	if r := rs.slash(bob, ""); len(r.Payload) > 0 && string(r.Payload) != "null" {
		t.Fatalf("/promise alone answered %s", r.Payload)
	}
	v := rs.lastView(bob, "open")
	if _, err := rs.sim.SubmitView(rs.ctx(), bob, v.ID, modalInput("Initech", "fix the invoice", "2026-11-24", "18:00", bob)); err != nil {
		t.Fatal(err)
	}
	if ps := rs.promises(); len(ps) != 8 {
		t.Fatalf("%d promises stored, want 8", len(ps))
	}

	rs.clock.Set(due)
	leader := rs.waitLeader()
	if n := rs.tickAll(1-leader, leader); n != 1 {
		t.Fatalf("the standby's tick with work due was not fenced off")
	}
	annDMs, bobDMs := rs.sim.DMs(ann), rs.sim.DMs(bob)
	if len(annDMs) != 4 || len(bobDMs) != 3 {
		t.Fatalf("ann got %d DMs, bob %d; want 4 and 3, one per due promise", len(annDMs), len(bobDMs))
	}
	// Done clicks, spread over both replicas.
	for _, dm := range annDMs {
		if _, err := rs.sim.Click(rs.ctx(), ann, dm, "promise_done", ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range rs.promises() {
		if p.Owner == ann && p.State != store.Kept {
			t.Errorf("#%d after Done: %s", p.ID, p.State)
		}
	}

	// The scheduling replica stops; the other takes over.
	_, before := rs.ds[leader].Scheduling()
	rs.stops[leader]()
	other := 1 - leader
	if got := rs.waitLeader(); got != other {
		t.Fatalf("replica %d schedules after %d stopped", got, leader)
	}
	if _, term := rs.ds[other].Scheduling(); term <= before {
		t.Fatalf("the new term %d is not after %d", term, before)
	}
	rs.clock.Set(time.Date(2026, 11, 24, 18, 0, 0, 0, bobZone()))
	rs.tickAll(other)
	// The form's promise, and a day after their due time the overdue
	// follow-ups of Bob's three commands: 3 + 1 + 3.
	if n := len(rs.sim.DMs(bob)); n != 7 {
		t.Fatalf("bob got %d DMs after the takeover, want 7", n)
	}
	if errs := rs.sim.Errors(); len(errs) != 0 {
		t.Errorf("protocol errors: %v", errs)
	}
}

func bobZone() *time.Location { return mustZone("Europe/Paris") }

// A Retry-After the scheduling replica was given holds for the replica
// that takes over: it does not post, not even a reminder that came due
// after the 429, until the pause ends.
func TestReplicasShareRetryAfter(t *testing.T) {
	pgtest.Require(t)
	rs := startReplicas(t, 2)
	rs.slash(ann, "Acme: call back in 1 hour")
	rs.clock.Advance(30 * time.Minute)
	rs.slash(ann, "Acme: send the deck in 1 hour") // due half an hour after the first
	leader := rs.waitLeader()
	rs.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Status: 429, RetryAfter: 3600})
	rs.clock.Advance(30 * time.Minute)
	rs.tickAll(leader)
	if n := len(rs.sim.DMs(ann)); n != 0 {
		t.Fatalf("%d DMs through a 429", n)
	}
	posts := func() int {
		n := 0
		for _, c := range rs.sim.Calls() {
			if c.Method == "chat.postMessage" {
				n++
			}
		}
		return n
	}
	tried := posts()
	rs.stops[leader]()
	other := 1 - leader
	if got := rs.waitLeader(); got != other {
		t.Fatalf("replica %d schedules, want %d", got, other)
	}
	rs.clock.Advance(31 * time.Minute) // the second is due, the pause still on
	rs.tickAll(other)
	if n := posts(); n != tried {
		t.Fatalf("the new scheduler posted %d times during the Retry-After pause", n-tried)
	}
	rs.clock.Advance(30 * time.Minute)
	rs.tickAll(other)
	if n := len(rs.sim.DMs(ann)); n != 2 {
		t.Fatalf("%d DMs after the pause, want 2", n)
	}
}
