//go:build crash

package main

// The crash test: the real kept binary against the simulator, killed with
// SIGKILL at random moments and restarted, again and again, while Slack
// sends it work of every kind Kept delivers or takes in:
//
//   - /promise commands (two people, about 14 a second), due in a minute,
//     and series (a promise that repeats every day), due within two;
//   - forms: the /promise modal, submitted, and redelivered under the same
//     envelope id when no ack came, as Slack retries;
//   - clicks: Done on a third of the reminders and on every series, also
//     redelivered until acknowledged; keeping a promise logs a touch with
//     its customer in the same commit, and kills land between the two;
//   - overdue follow-ups, a minute after a promise is due and still open;
//   - keep-in-touch prompts for customers past their cadence (work hours
//     are all week, all day, so that they go out now);
//   - the channel digest, every minute.
//
// Posts are slow (0.5 to 1.2 s) for one of them in every life of the
// process, so that kills land in the window between Slack taking a post
// and the outbox recording it: a post in flight when kept is killed is
// still posted (the simulator, like Slack, does not care that the client
// left), and the next process must find it in the channel's history and
// not post it again.
//
// Then: every acknowledged promise and form is stored, once; every nudge
// the database has went out exactly once, by nudge id, to the right person
// or channel, and not before its time; nothing is missing (a reminder for
// every promise due, an overdue follow-up for every one left open, a
// prompt for every customer past its cadence, a digest for every minute);
// every acknowledged click kept its promise exactly once and logged
// exactly one touch; recovery demonstrably ran (nudges retried after a
// kill, history lookups); and the database passes bbolt's check.
//
//	go test -tags crash -run TestCrash -count=1 -timeout 8m -v .
//
// KEPT_CRASH_SEED repeats a run's kill schedule; KEPT_CRASH_STREAM (a Go
// duration, default 25s) is how long new work streams in. The run lasts
// about that plus two and a half minutes: the last promises come due, then
// their follow-ups.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/scheduler"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

const (
	crashTeam    = "T0KEPT" // the simulator's workspace
	overdueAfter = time.Minute
	checkins     = 8 // customers past their cadence at the start
)

// crashWork is what the test sent, and what Kept acknowledged.
type crashWork struct {
	mu       sync.Mutex
	sent     int
	acked    map[string]int64     // promise text -> number in the ack (commands)
	forms    map[string]bool      // promise text -> the form's submission was acknowledged
	series   map[string]time.Time // series text -> its first occurrence
	seriesID map[int64]bool
	formsOut int // forms submitted
	lastDue  time.Time
	// clicks: promise number -> its Done click, delivered until acked.
	clicks map[int64]*crashClick
}

type crashClick struct {
	env        *slacksim.Envelope
	deliveries int
	acked      bool
}

func (w *crashWork) due(at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if at.After(w.lastDue) {
		w.lastDue = at
	}
}

func TestCrash(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("KEPT_CRASH_SEED"), 10, 64); err == nil {
		seed = v
	}
	stream := 25 * time.Second
	if v, err := time.ParseDuration(os.Getenv("KEPT_CRASH_STREAM")); err == nil && v > 0 {
		stream = v
	}
	t.Logf("seed %d (KEPT_CRASH_SEED to repeat the kill schedule)", seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	bin := buildKept(t)
	sim, users := killSim(t)
	db := filepath.Join(t.TempDir(), "kept.db")
	began := time.Now()
	seedCustomers(t, db, users, began)
	logs := &lockedBuffer{}

	start := func() *exec.Cmd {
		t.Helper()
		before := sim.ConnectionsOpened()
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "SLACK_APP_TOKEN=xapp-1-sim", "SLACK_BOT_TOKEN=xoxb-sim",
			"SLACK_API_URL="+sim.URL(), "KEPT_DB="+db, "KEPT_TICK=1s", "KEPT_LOG_LEVEL=warn",
			"KEPT_OVERDUE_AFTER="+overdueAfter.String(), "KEPT_WORK_HOURS=Sun-Sat 00:00-24:00",
			"KEPT_DIGEST_CHANNEL=C0SALES", "KEPT_DIGEST_CRON=* * * * *")
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

	w := &crashWork{acked: map[string]int64{}, forms: map[string]bool{}, series: map[string]time.Time{}, seriesID: map[int64]bool{}, clicks: map[int64]*crashClick{}}
	var pendingForms []*slacksim.Envelope // submitted, not yet acknowledged
	formOf := map[*slacksim.Envelope]crashForm{}
	cycles := 0
	// Lives of the process, each ended by a kill, until the last work
	// streamed in is due and its follow-up with it.
	for cycle := 0; ; cycle++ {
		streaming := time.Since(began) < stream
		w.mu.Lock()
		end := w.lastDue.Add(overdueAfter + 4*time.Second)
		w.mu.Unlock()
		if !streaming && time.Now().After(end) {
			break
		}
		cycles++
		cmd := start()
		// One slow post in every life (one left over from the last life
		// counts), so that kills land in the window between Slack taking
		// a post and the outbox recording it; more would leave too little
		// of a life for the rest of the work.
		if sim.FaultsLeft("chat.postMessage") == 0 {
			sim.FailNext("chat.postMessage", 1, slacksim.Fault{Delay: 500*time.Millisecond + time.Duration(rng.IntN(700))*time.Millisecond})
		}
		life := 300*time.Millisecond + time.Duration(rng.IntN(2200))*time.Millisecond
		ctx, stop := context.WithTimeout(context.Background(), life)
		var wg sync.WaitGroup
		if streaming {
			for i := range 2 {
				wg.Go(func() {
					streamCommands(ctx, t, sim, w, users[i], fmt.Sprintf("c%d w%d", cycle, i), rand.New(rand.NewPCG(seed, uint64(cycle*2+i))))
				})
			}
		}
		wg.Go(func() {
			// Forms: first the ones Kept did not acknowledge, under the
			// same envelope id; then, while streaming, new ones.
			pace := rand.New(rand.NewPCG(seed, uint64(cycle)|1<<32))
			for len(pendingForms) > 0 && ctx.Err() == nil {
				if r, err := sim.Deliver(ctx, pendingForms[0]); err == nil {
					w.formAcked(formOf[pendingForms[0]], r)
					pendingForms = pendingForms[1:]
				}
			}
			for streaming && ctx.Err() == nil {
				env, f := openForm(ctx, sim, users[0], fmt.Sprintf("c%d n%d", cycle, len(formOf)))
				if env == nil {
					continue
				}
				formOf[env] = f
				w.mu.Lock()
				w.formsOut++
				w.mu.Unlock()
				if r, err := sim.Deliver(ctx, env); err == nil {
					w.formAcked(f, r)
				} else {
					pendingForms = append(pendingForms, env)
				}
				time.Sleep(time.Duration(200+pace.IntN(300)) * time.Millisecond) // pacing: a few a second
			}
		})
		wg.Go(func() { clickDone(ctx, t, sim, w) })
		<-ctx.Done()
		stop()
		kill(cmd) // at a random moment: mid-command, mid-tick, mid-post, mid-click
		wg.Wait()
	}

	// The last life takes the clicks not yet acknowledged and delivers
	// what is owed, until Slack has seen no new nudge for 5 s (a minute at
	// most), and ends in a kill too.
	cmd := start()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	for len(pendingForms) > 0 && ctx.Err() == nil {
		if r, err := sim.Deliver(ctx, pendingForms[0]); err == nil {
			w.formAcked(formOf[pendingForms[0]], r)
			pendingForms = pendingForms[1:]
		}
	}
	clickDone(ctx, t, sim, w)
	cancel()
	for quiet, seen, deadline := time.Now(), 0, time.Now().Add(time.Minute); time.Since(quiet) < 5*time.Second && time.Now().Before(deadline); {
		if n, _ := shownNudges(sim); len(n) != seen {
			seen, quiet = len(n), time.Now()
		}
		time.Sleep(200 * time.Millisecond)
	}
	kill(cmd)
	until := time.Now()

	st, err := store.New(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		t.Errorf("database after the last kill: %v", err)
	}
	c := crashCheck{t: t, sim: sim, st: st, w: w, began: began, until: until}
	c.load()
	lost := c.promisesStored()
	kept, touches := c.clicksKeptOnce()
	shown, posted := shownNudges(sim)
	duplicates, missing := checkOnce(t, c.nudges, shown, c.rightlyDropped)
	missing += c.nothingMissing()
	c.recipientsAndTimes(posted)
	digests := c.digestsOnce()

	retried, lookups := 0, 0
	kinds := map[store.NudgeKind]int{}
	for _, n := range c.nudges {
		kinds[n.Kind]++
		if n.Attempts > 1 {
			retried++
		}
	}
	for _, call := range sim.Calls() {
		if call.Method == "conversations.history" {
			lookups++
		}
	}
	w.mu.Lock()
	figures := fmt.Sprintf("crash test: %d kill/restart cycles in %s: %d commands sent, %d acknowledged, %d forms submitted, %d acknowledged, %d promises stored (%d lost, %d series); "+
		"%d nudges (%d reminders, %d overdue, %d check-ins, %d digests over %d minutes), %d duplicates, %d missing; %d Done clicks acknowledged (%d keeps, %d touches); "+
		"%d nudges retried after a kill, %d history lookups (seed %d)",
		cycles, time.Since(began).Round(time.Second), w.sent, len(w.acked), w.formsOut, len(w.forms), len(c.ps), lost, len(w.series),
		len(c.nudges), kinds[store.Reminder], kinds[store.OverdueNudge], kinds[store.Checkin], kinds[store.DigestNudge], digests,
		duplicates, missing, c.ackedClicks(), kept, touches, retried, lookups, seed)
	w.mu.Unlock()
	t.Log(figures)
	fmt.Println(figures)
	// The run proves something only if each kind of work happened.
	switch {
	case len(w.acked) == 0 || len(w.forms) == 0 || len(w.series) == 0:
		t.Errorf("the run proved nothing about commands: %d acked, %d forms, %d series", len(w.acked), len(w.forms), len(w.series))
	case kinds[store.Reminder] == 0 || kinds[store.OverdueNudge] == 0 || kinds[store.Checkin] < checkins || kinds[store.DigestNudge] < 2:
		t.Errorf("the run proved nothing about some nudges: %v", kinds)
	case kept == 0 || touches == 0:
		t.Errorf("the run proved nothing about clicks: %d keeps, %d touches", kept, touches)
	}
	// Recovery must have run, or the test proved nothing about it: some
	// nudge was retried after a kill, and looked for in Slack first.
	if retried == 0 || lookups == 0 {
		t.Errorf("recovery was never exercised: %d nudges retried, %d history lookups", retried, lookups)
	}
	if t.Failed() {
		out := logs.String()
		if len(out) > 20000 {
			out = out[len(out)-20000:]
		}
		t.Logf("kept's logs (last 20 kB):\n%s", out)
	}
}

// seedCustomers writes, before the first start, Acme (whom every promise
// names, so keeping one logs a touch with it) and customers past their
// cadence, whose prompts are due at once.
func seedCustomers(t *testing.T, db string, users []string, now time.Time) {
	t.Helper()
	st, err := store.New(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs := []store.Customer{{Team: crashTeam, Name: "Acme", Owner: users[0], Tier: store.StandardTier, Created: now.AddDate(0, -1, 0)}}
	for i := range checkins {
		cs = append(cs, store.Customer{Team: crashTeam, Name: fmt.Sprintf("Checkin %d", i), Owner: users[i%2], Tier: store.KeyTier,
			Cadence: 14 * 24 * time.Hour, Created: now.AddDate(0, -3, 0), LastTouch: now.AddDate(0, 0, -20-i), LastBy: users[i%2]})
	}
	if _, err := st.Import(store.Dump{Customers: cs}, false); err != nil {
		t.Fatal(err)
	}
	// The digest's clock starts now, so that every minute from here on
	// is owed a digest.
	if err := st.SetLastRun(scheduler.DigestJob, now); err != nil {
		t.Fatal(err)
	}
}

// streamCommands sends /promise commands as user until ctx ends, about
// seven a second: promises due in a minute, and every tenth a series.
func streamCommands(ctx context.Context, t *testing.T, sim *slacksim.Server, w *crashWork, user, name string, pace *rand.Rand) {
	loc := zoneOf(sim, user)
	for n := 0; ctx.Err() == nil; n++ {
		text := fmt.Sprintf("crash promise %s n%d", name, n)
		due := time.Now().Add(time.Minute)
		cmd := "Acme: " + text + " in 1 minute"
		isSeries := n%10 == 9
		if isSeries {
			text = strings.Replace(text, "promise", "series", 1)
			due = nextMinute(time.Now(), 20*time.Second)
			cmd = "Acme: " + text + " every day " + due.In(loc).Format("15:04")
		}
		w.mu.Lock()
		w.sent++
		w.mu.Unlock()
		r, err := sim.SlashCommand(context.Background(), user, "C0SALES", "/promise", cmd)
		if err == nil {
			var id int64
			if _, err := fmt.Sscanf(stringAfter(r.Text, "#"), "%d", &id); err != nil || id == 0 {
				t.Errorf("ack without a promise number: %q", r.Text)
			}
			w.mu.Lock()
			w.acked[text] = id
			if isSeries {
				w.series[text], w.seriesID[id] = due, true
			}
			w.mu.Unlock()
			w.due(due)
		}
		// Pacing, not a clock: about seven a second.
		time.Sleep(time.Duration(80+pace.IntN(120)) * time.Millisecond)
	}
}

// nextMinute is the first whole minute at least lead after now: what a
// form's time picker or a series' clock can say.
func nextMinute(now time.Time, lead time.Duration) time.Time {
	return now.Add(lead).Truncate(time.Minute).Add(time.Minute)
}

func zoneOf(sim *slacksim.Server, user string) *time.Location {
	for _, u := range sim.Users() {
		if u.ID == user {
			if loc, err := time.LoadLocation(u.TZ); err == nil {
				return loc
			}
		}
	}
	return time.UTC
}

// openForm runs /promise alone as user, waits for the modal, and builds
// its submission: a promise due at the next whole minute a little ahead.
// It returns nil when Kept did not open the form (killed meanwhile).
func openForm(ctx context.Context, sim *slacksim.Server, user, name string) (*slacksim.Envelope, crashForm) {
	before := len(sim.Views())
	if _, err := sim.SlashCommand(ctx, user, "C0SALES", "/promise", ""); err != nil {
		return nil, crashForm{}
	}
	var view slacksim.View
	wait, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_ = sim.Wait(wait, func() bool {
		vs := sim.Views()
		for _, v := range vs[min(before, len(vs)):] {
			if v.UserID == user && v.Kind == "open" && v.View.CallbackID == "promise_modal" {
				view = v
				return true
			}
		}
		return false
	})
	if view.ID == "" {
		return nil, crashForm{}
	}
	due := nextMinute(time.Now(), 20*time.Second).In(zoneOf(sim, user))
	text := "crash form " + name
	env, err := sim.SubmitViewEnvelope(user, view.ID, map[string]map[string]slack.BlockAction{
		"customer": {"value": {Type: "plain_text_input", Value: "Acme"}},
		"what":     {"value": {Type: "plain_text_input", Value: text}},
		"date":     {"value": {Type: "datepicker", SelectedDate: due.Format("2006-01-02")}},
		"time":     {"value": {Type: "timepicker", SelectedTime: due.Format("15:04")}},
		"owner":    {"value": {Type: "users_select", SelectedUser: user}},
	})
	if err != nil {
		return nil, crashForm{}
	}
	return env, crashForm{text: text, due: due}
}

// crashForm is a submitted form: the promise it makes, and when it is due.
type crashForm struct {
	text string
	due  time.Time
}

// formAcked records an acknowledged submission: one that closed the form
// (an "errors" answer, such as a time now past, stored nothing).
func (w *crashWork) formAcked(f crashForm, r slacksim.Reply) {
	if len(r.Errors) > 0 {
		return
	}
	w.mu.Lock()
	w.forms[f.text] = true
	w.mu.Unlock()
	w.due(f.due)
}

// promiseBlock finds a reminder's promise and owner in its blocks, while
// it still has its buttons.
var promiseBlock = regexp.MustCompile(`"block_id":"promise:(\d+):([UW][A-Z0-9]+)(?::\d+)?"`)

// clickDone presses Done, as the owner, on the reminders of a third of the
// promises and of every series, until ctx ends. A click whose ack did not
// come is delivered again under the same envelope id, as Slack retries.
func clickDone(ctx context.Context, t *testing.T, sim *slacksim.Server, w *crashWork) {
	for ctx.Err() == nil {
		for _, m := range sim.Messages() {
			if ctx.Err() != nil {
				return
			}
			if m.Metadata == nil || m.Metadata.EventType != "kept_nudge" || m.Metadata.EventPayload["kind"] != string(store.Reminder) {
				continue
			}
			sub := promiseBlock.FindSubmatch(m.BlocksJSON)
			if sub == nil {
				continue // kept already: the buttons are gone
			}
			id, _ := strconv.ParseInt(string(sub[1]), 10, 64)
			w.mu.Lock()
			if !w.seriesID[id] && id%3 != 0 {
				w.mu.Unlock()
				continue
			}
			c := w.clicks[id]
			if c == nil {
				c = &crashClick{}
				w.clicks[id] = c
			}
			done := c.acked
			w.mu.Unlock()
			if done {
				continue
			}
			if c.env == nil {
				env, err := sim.ClickEnvelope(string(sub[2]), m, "promise_done", "")
				if err != nil {
					continue // the message changed meanwhile
				}
				c.env = env
			}
			c.deliveries++
			if _, err := sim.Deliver(ctx, c.env); err == nil {
				w.mu.Lock()
				c.acked = true
				w.mu.Unlock()
			} // else kept is going down: the next life gets it again
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *crashCheck) ackedClicks() int {
	n := 0
	for _, k := range c.w.clicks {
		if k.acked {
			n++
		}
	}
	return n
}

// crashCheck reads the database after the last kill and holds it to what
// the test sent and what Slack shows.
type crashCheck struct {
	t            *testing.T
	sim          *slacksim.Server
	st           *store.Bolt
	w            *crashWork
	began, until time.Time

	ps       []store.Promise
	byID     map[int64]store.Promise
	byText   map[string][]store.Promise
	nudges   []store.Nudge
	touches  map[string]int // promise text -> touches logged for it
	customer map[string]store.Customer
}

func (c *crashCheck) load() {
	t := c.t
	var err error
	if c.ps, err = c.st.Promises(crashTeam, "", ""); err != nil {
		t.Fatal(err)
	}
	c.byID, c.byText = map[int64]store.Promise{}, map[string][]store.Promise{}
	for _, p := range c.ps {
		c.byID[p.ID] = p
		c.byText[p.Text] = append(c.byText[p.Text], p)
	}
	if c.nudges, err = c.st.Nudges(""); err != nil {
		t.Fatal(err)
	}
	ts, err := c.st.Touches(crashTeam, "Acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	c.touches = map[string]int{}
	for _, tc := range ts {
		if tc.Kind == model.TouchPromise {
			c.touches[tc.Note]++
		}
	}
	cs, err := c.st.Customers(crashTeam)
	if err != nil {
		t.Fatal(err)
	}
	c.customer = map[string]store.Customer{}
	for _, cu := range cs {
		c.customer[cu.Key()] = cu
	}
}

// promisesStored: every acknowledged command and form is stored, once.
func (c *crashCheck) promisesStored() (lost int) {
	t, w := c.t, c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	for text, id := range w.acked {
		ps := c.byText[text]
		if len(ps) != 1 || ps[0].ID != id {
			lost++
			t.Errorf("acknowledged promise #%d %q is stored %d times (%+v)", id, text, len(ps), ps)
		}
		if _, series := w.series[text]; series && len(ps) == 1 && ps[0].Repeat == "" {
			t.Errorf("series #%d %q is stored without its repeat", id, text)
		}
	}
	for text := range w.forms {
		if ps := c.byText[text]; len(ps) != 1 {
			lost++
			t.Errorf("acknowledged form %q is stored %d times", text, len(ps))
		}
	}
	// A form Kept did not acknowledge may be stored (the kill came after
	// the commit): once at most, as its redelivery takes effect once.
	for text, ps := range c.byText {
		if strings.HasPrefix(text, "crash form") && len(ps) > 1 {
			t.Errorf("form %q is stored %d times", text, len(ps))
		}
	}
	return lost
}

// clicksKeptOnce: each acknowledged Done kept its promise once (a series:
// one occurrence, the next due a day later), and each keep logged one
// touch with Acme, in the same commit: no keep without its touch, and no
// touch twice.
func (c *crashCheck) clicksKeptOnce() (keeps, touches int) {
	t, w := c.t, c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range c.ps {
		n := 0
		for _, e := range p.History {
			if e.Kind == model.EventKept {
				n++
			}
		}
		keeps += n
		touches += c.touches[p.Text]
		if c.touches[p.Text] != n {
			t.Errorf("#%d %q was kept %d times and logged %d touches", p.ID, p.Text, n, c.touches[p.Text])
		}
		click := w.clicks[p.ID]
		switch {
		case click != nil && click.acked && n != 1:
			t.Errorf("#%d %q: Done was acknowledged (%d deliveries), and it was kept %d times", p.ID, p.Text, click.deliveries, n)
		case n > 1:
			t.Errorf("#%d %q was kept %d times, clicked once", p.ID, p.Text, n)
		case n == 1 && p.Repeat != "" && (p.State != store.Open || p.Occurrence != 1):
			t.Errorf("series #%d kept once is %s at occurrence %d; want open at occurrence 1", p.ID, p.State, p.Occurrence)
		case n == 1 && p.Repeat == "" && p.State != store.Kept:
			t.Errorf("#%d kept once is %s", p.ID, p.State)
		}
	}
	return keeps, touches
}

// firstDue is when p was first due: a series kept once is due again
// tomorrow.
func (c *crashCheck) firstDue(p store.Promise) time.Time {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	if due, ok := c.w.series[p.Text]; ok {
		return due
	}
	return p.Due
}

// rightlyDropped: a nudge may be dropped unsent only because what it was
// for moved on first: its promise was kept (a follow-up, or a reminder
// claimed just before the click), or its customer touched.
func (c *crashCheck) rightlyDropped(n store.Nudge) bool {
	switch n.Kind {
	case store.Reminder, store.OverdueNudge:
		p := c.byID[n.PromiseID]
		return p.State == store.Kept || p.Occurrence > 0
	case store.Checkin:
		return !c.customer[n.Subject].LastTouch.Before(n.Created)
	}
	return false
}

// nothingMissing: every promise due by the end has one reminder; every one
// still open an overdue time after it was due has one follow-up, and none
// kept well before then has one; every customer past its cadence has one
// prompt.
func (c *crashCheck) nothingMissing() (missing int) {
	t := c.t
	type key struct {
		id   int64
		kind store.NudgeKind
	}
	count := map[key]int{}
	prompts := map[string]int{}
	for _, n := range c.nudges {
		count[key{n.PromiseID, n.Kind}]++
		if n.Kind == store.Checkin {
			prompts[n.Subject]++
		}
	}
	grace := 3 * time.Second // a tick, and the kill that ended the run
	for _, p := range c.ps {
		due := c.firstDue(p)
		if !due.After(c.until.Add(-grace)) {
			if got := count[key{p.ID, store.Reminder}]; got != 1 {
				missing++
				t.Errorf("#%d %q due %s has %d reminders, want 1", p.ID, p.Text, due.Format(time.TimeOnly), got)
			}
		}
		late := p.Due.Add(overdueAfter)
		keptEarly := p.State == store.Kept && p.KeptAt.Before(late.Add(-grace))
		got := count[key{p.ID, store.OverdueNudge}]
		switch {
		case got > 1:
			t.Errorf("#%d %q has %d overdue follow-ups, want at most 1", p.ID, p.Text, got)
		case p.Occurrence == 0 && keptEarly && got != 0:
			t.Errorf("#%d %q was kept at %s, before its follow-up at %s, and still has one", p.ID, p.Text, p.KeptAt.Format(time.TimeOnly), late.Format(time.TimeOnly))
		case p.State == store.Open && p.Occurrence == 0 && late.Before(c.until.Add(-grace)) && got != 1:
			missing++
			t.Errorf("#%d %q, still open, was due at %s and has %d overdue follow-ups, want 1", p.ID, p.Text, p.Due.Format(time.TimeOnly), got)
		}
	}
	for i := range checkins {
		k := model.CustomerKey(fmt.Sprintf("Checkin %d", i))
		if prompts[k] != 1 {
			missing++
			t.Errorf("customer %q is past its cadence and has %d prompts, want 1", k, prompts[k])
		}
	}
	return missing
}

// recipientsAndTimes: each reminder and follow-up went to its promise's
// owner, not before its time; each prompt to its customer's owner; each
// digest to #sales.
func (c *crashCheck) recipientsAndTimes(posted map[int64]slacksim.Message) {
	t := c.t
	for _, n := range c.nudges {
		m, ok := posted[n.ID]
		if !ok {
			continue
		}
		sec, _ := strconv.ParseFloat(m.TS, 64)
		at := time.Unix(0, int64(sec*1e9))
		var to string
		var notBefore time.Time
		switch n.Kind {
		case store.Reminder, store.OverdueNudge:
			p := c.byID[n.PromiseID]
			to, notBefore = c.sim.DMChannel(p.Owner), n.NotBefore
			first := c.firstDue(p)
			if n.Kind == store.OverdueNudge {
				first = first.Add(overdueAfter)
			}
			if at.Before(first.Add(-time.Second)) {
				t.Errorf("%s nudge %d for #%d was posted at %s, before %s", n.Kind, n.ID, p.ID, at.Format(time.RFC3339Nano), first.Format(time.RFC3339Nano))
			}
		case store.Checkin:
			to, notBefore = c.sim.DMChannel(c.customer[n.Subject].Owner), n.NotBefore
		case store.DigestNudge:
			to, notBefore = "C0SALES", n.NotBefore
		}
		if m.Channel != to {
			t.Errorf("%s nudge %d (#%d %s) went to %s, want %s", n.Kind, n.ID, n.PromiseID, n.Subject, m.Channel, to)
		}
		if at.Before(notBefore.Add(-time.Second)) {
			t.Errorf("%s nudge %d was posted at %s, before its time %s", n.Kind, n.ID, at.Format(time.RFC3339Nano), notBefore.Format(time.RFC3339Nano))
		}
	}
}

// digestsOnce: one digest for every minute from the start to the end (a
// minute missed while kept was down is posted once when it is back), and
// the last run recorded is the last minute. It returns the minutes.
func (c *crashCheck) digestsOnce() int {
	t := c.t
	got := 0
	for _, n := range c.nudges {
		if n.Kind == store.DigestNudge {
			got++
		}
	}
	// Whole minutes in (began, until]; the last may fall in the final
	// kill's second.
	most := int(c.until.Truncate(time.Minute).Sub(c.began.Truncate(time.Minute)) / time.Minute)
	least := int(c.until.Add(-3*time.Second).Truncate(time.Minute).Sub(c.began.Truncate(time.Minute)) / time.Minute)
	if got < least || got > most {
		t.Errorf("%d digests over %s, want one a minute: %d", got, c.until.Sub(c.began).Round(time.Second), most)
	}
	last, err := c.st.LastRun(scheduler.DigestJob)
	if err != nil {
		t.Fatal(err)
	}
	if want := c.until.Add(-3 * time.Second).Truncate(time.Minute); last.Before(want) {
		t.Errorf("the digest's last run is %s, want %s or later", last.Format(time.TimeOnly), want.Format(time.TimeOnly))
	}
	return most
}
