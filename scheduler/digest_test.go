package scheduler

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/clock"
	"github.com/keptbot/kept/cronspec"
	"github.com/keptbot/kept/store"
)

var newYork = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// digestEnv is a scheduler with the digest on spec, starting at start.
type digestEnv struct {
	t     *testing.T
	path  string
	clock *clock.Manual
	store *store.Bolt
	sched *Scheduler
	spec  string
	sent  *fakeSlack
}

func newDigestEnv(t *testing.T, spec, channel string, start time.Time) *digestEnv {
	t.Helper()
	e := &digestEnv{t: t, path: filepath.Join(t.TempDir(), "kept.db"), clock: clock.NewManual(start), spec: spec}
	e.open(channel)
	return e
}

// open (re)starts the scheduler on the env's database, as a restart would.
func (e *digestEnv) open(channel string) {
	e.t.Helper()
	if e.store != nil {
		e.store.Close()
	}
	st, err := store.New(e.path, store.Options{Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { st.Close() })
	sched, _, err := cronspec.Parse(e.spec, newYork)
	if err != nil {
		e.t.Fatal(err)
	}
	e.store, e.sent = st, &fakeSlack{}
	e.sched = New(st, e.sent, Config{Now: e.clock.Now, Digest: sched, DigestChannel: channel, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// at moves the clock to t, ticks, and returns how many digest nudges there
// are in all.
func (e *digestEnv) at(t time.Time) int {
	e.t.Helper()
	e.clock.Set(t)
	if err := e.sched.Tick(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	ns, err := e.store.Nudges(store.DigestNudge)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(ns)
}

func ny(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, newYork)
}

func TestDigestRunsOncePerSchedule(t *testing.T) {
	// Monday 23 November 2026, 10:00 in New York: just after a run time.
	e := newDigestEnv(t, "0 9 * * MON", "#sales", ny(2026, 11, 23, 10, 0))
	steps := []struct {
		name string
		at   time.Time
		want int
	}{
		{"first start records, posts nothing", ny(2026, 11, 23, 10, 0), 0},
		{"the week goes by", ny(2026, 11, 27, 17, 0), 0},
		{"a minute early", ny(2026, 11, 30, 8, 59), 0},
		{"on time", ny(2026, 11, 30, 9, 0), 1},
		{"the next tick", ny(2026, 11, 30, 9, 0), 1},
		{"later that day", ny(2026, 11, 30, 18, 0), 1},
		{"a week later, late tick", ny(2026, 12, 7, 9, 4), 2},
	}
	for _, st := range steps {
		if got := e.at(st.at); got != st.want {
			t.Fatalf("%s (%v): %d digests, want %d", st.name, st.at, got, st.want)
		}
	}
	ns, _ := e.store.Nudges(store.DigestNudge)
	for _, n := range ns {
		if n.To != "#sales" || n.Team != "" || n.Subject != string(store.ScopeAll) || n.State != store.NudgeSent {
			t.Errorf("digest nudge %+v: want sent to #sales for the whole workspace", n)
		}
	}
	if last, _ := e.store.LastRun(DigestJob); !last.Equal(ny(2026, 12, 7, 9, 0)) {
		t.Errorf("last run %v, want the scheduled time, not the tick's", last)
	}
}

func TestDigestAfterDowntime(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", "C0SALES", ny(2026, 11, 23, 10, 0))
	e.at(ny(2026, 11, 23, 10, 0))
	// Down from Sunday 29 November to Wednesday 16 December: three runs
	// missed. Back up, the digest goes out once.
	e.at(ny(2026, 11, 29, 12, 0))
	e.open("C0SALES")
	if got := e.at(ny(2026, 12, 16, 11, 0)); got != 1 {
		t.Fatalf("%d digests after three missed runs, want 1", got)
	}
	if last, _ := e.store.LastRun(DigestJob); !last.Equal(ny(2026, 12, 14, 9, 0)) {
		t.Errorf("last run %v, want the latest missed run, Mon 14 Dec 9:00", last)
	}
	// A restart right after a run does not repeat it.
	e.open("C0SALES")
	if got := e.at(ny(2026, 12, 16, 11, 1)); got != 1 {
		t.Errorf("%d digests after a restart, want still 1", got)
	}
	if got := e.at(ny(2026, 12, 21, 9, 0)); got != 2 {
		t.Errorf("%d digests on the next Monday, want 2", got)
	}
}

func TestDigestAcrossDST(t *testing.T) {
	tests := []struct {
		name   string
		spec   string
		start  time.Time
		ticks  []time.Time // every one checked for the count after it
		counts []int
	}{
		{
			// Clocks go back on Sunday 1 November 2026: 9:00 is 13:00 UTC
			// before and 14:00 UTC after.
			name:  "autumn, Monday 9:00",
			spec:  "0 9 * * MON",
			start: ny(2026, 10, 20, 12, 0),
			ticks: []time.Time{
				ny(2026, 10, 26, 8, 59), ny(2026, 10, 26, 9, 0),
				time.Date(2026, 11, 2, 13, 0, 0, 0, time.UTC), // 8:00 EST: the old 9:00 in UTC
				ny(2026, 11, 2, 8, 59), ny(2026, 11, 2, 9, 0),
			},
			counts: []int{0, 1, 1, 1, 2},
		},
		{
			// Clocks go forward on Sunday 14 March 2027.
			name:  "spring, Monday 9:00",
			spec:  "0 9 * * MON",
			start: ny(2027, 3, 2, 12, 0),
			ticks: []time.Time{
				ny(2027, 3, 8, 8, 59), ny(2027, 3, 8, 9, 0),
				ny(2027, 3, 15, 8, 59), ny(2027, 3, 15, 9, 0),
			},
			counts: []int{0, 1, 1, 2},
		},
		{
			// 1:30 happens twice on 1 November 2026; robfig's Next
			// returns both. One digest that night.
			name:  "autumn, daily 1:30 on the repeated hour",
			spec:  "30 1 * * *",
			start: ny(2026, 10, 31, 12, 0),
			ticks: []time.Time{
				time.Date(2026, 11, 1, 5, 29, 0, 0, time.UTC), // 1:29 EDT
				time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), // 1:30 EDT
				time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), // 1:30 EST
				time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC),
				ny(2026, 11, 2, 1, 30),
			},
			counts: []int{0, 1, 1, 1, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDigestEnv(t, tt.spec, "C0SALES", tt.start)
			e.at(tt.start)
			for i, at := range tt.ticks {
				if got := e.at(at); got != tt.counts[i] {
					t.Fatalf("at %v (%v UTC): %d digests, want %d", at, at.UTC(), got, tt.counts[i])
				}
			}
		})
	}
}

func TestDigestTargets(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", "C0SALES", ny(2026, 11, 23, 10, 0))
	e.at(ny(2026, 11, 23, 10, 0))
	for _, sub := range []store.Subscription{
		{Team: "T1", Channel: "C0LEADS", Scope: store.ScopeMembers},
		{Team: "T1", Channel: "C0SALES", Scope: store.ScopeAll}, // also the configured channel
		{Team: "T2", Channel: "C0OTHER", Scope: store.ScopeAll},
	} {
		if err := e.store.Subscribe(sub.Team, sub.Channel, sub.Scope); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.at(ny(2026, 11, 30, 9, 0)); got != 3 {
		t.Fatalf("%d digests, want one per channel: 3", got)
	}
	ns, _ := e.store.Nudges(store.DigestNudge)
	var got []string
	for _, n := range ns {
		got = append(got, n.Team+"/"+n.To+"/"+n.Subject)
	}
	want := "/C0SALES/all T1/C0LEADS/members T2/C0OTHER/all"
	if strings.Join(got, " ") != want {
		t.Errorf("digests went to %v, want %s", got, want)
	}

	// Without a configured channel, only the subscribed ones get it.
	e.open("")
	if got := e.at(ny(2026, 12, 7, 9, 0)); got != 6 {
		t.Errorf("%d digests in all, want 6 (three more)", got)
	}
}
