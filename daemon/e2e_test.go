package daemon_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/clock"
	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/daemon"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

// newYork is Ann's zone; the reference time is Monday 2026-11-23 10:00 there.
var newYork = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

const (
	team  = "T0KEPT"
	ann   = "U0ANN"
	bob   = "U0BOB"
	cid   = "U0CID"
	chan_ = "C0SALES"
)

// env is Kept running against the simulator, over real sockets.
type env struct {
	t     *testing.T
	sim   *slacksim.Server
	clock *clock.Manual
	cfg   config.Config
	d     *daemon.Daemon
	stop  func()

	latency time.Duration // of every Web API call (KEPT_SIM_LATENCY)
	done    chan error    // what the running daemon's Run returned
}

func start(t *testing.T) *env {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 23, 10, 0, 0, 0, newYork))
	latency := simLatency(t)
	sim, err := slacksim.New(slacksim.Options{TeamID: team, Now: clk.Now, Latency: latency})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	t.Cleanup(func() { checkPayloads(t, sim) })
	sim.AddUser(slacksim.User{ID: ann, Name: "ann", RealName: "Ann Archer", TZ: "America/New_York"})
	sim.AddUser(slacksim.User{ID: bob, Name: "bob", RealName: "Bob Brun", TZ: "Europe/Paris"})
	sim.AddUser(slacksim.User{ID: cid, Name: "cid", RealName: "Cid Rao", TZ: "Asia/Kolkata"})
	sim.AddChannel(slacksim.Channel{ID: chan_, Name: "sales", Members: []string{ann, bob, cid}})
	e := &env{t: t, sim: sim, clock: clk, latency: latency, cfg: config.Config{
		AppToken:     "xapp-1-sim",
		BotToken:     "xoxb-sim",
		APIURL:       sim.URL(),
		DB:           testDB(t),
		Tick:         time.Hour, // the tests tick by hand after moving the clock
		OverdueAfter: 24 * time.Hour,
		Zone:         time.UTC,
	}}
	e.run()
	return e
}

// run starts (or restarts) Kept on the env's database.
func (e *env) run() {
	e.t.Helper()
	// A restart waits for its own connection, not the old one.
	before := e.sim.ConnectionsOpened()
	d, err := daemon.New(e.cfg, daemon.Options{Now: e.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SendGrace: -1})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	e.d, e.done = d, done
	e.stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				e.t.Errorf("daemon stopped with %v", err)
			}
		case <-time.After(10 * time.Second):
			e.t.Fatal("daemon did not stop within 10s")
		}
		// Until Slack sees the socket close it may still send there, and
		// the next start's first command would be lost with it.
		gctx, gcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer gcancel()
		if err := e.sim.Wait(gctx, func() bool { return e.sim.Connections() == 0 }); err != nil {
			e.t.Errorf("the stopped daemon's socket is still open: %v", err)
		}
		e.stop = func() {}
	}
	e.t.Cleanup(func() { e.stop() })
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := e.sim.Wait(wctx, func() bool { return e.sim.ConnectionsOpened() > before && e.sim.Connections() > 0 }); err != nil {
		e.t.Fatalf("bot did not connect: %v", err)
	}
	// The tests tick by hand: on PostgreSQL, once this replica schedules.
	for on, _ := d.Scheduling(); !on; on, _ = d.Scheduling() {
		select {
		case <-wctx.Done():
			e.t.Fatal("kept did not take the scheduling term within 10s")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	e.t.Cleanup(cancel)
	return ctx
}

func (e *env) slash(user, text string) slacksim.Reply {
	e.t.Helper()
	r, err := e.sim.SlashCommand(e.ctx(), user, chan_, "/promise", text)
	if err == nil && r.Error != "" {
		err = errors.New("Slack refused the answer: " + r.Error)
	}
	if err != nil {
		e.t.Fatalf("/promise %s: %v", text, err)
	}
	return r
}

// settle waits for what Kept does after an ack (rewriting the clicked
// message, republishing a Home tab), so that a test looks at Slack once
// Kept is done with it.
func (e *env) settle() {
	e.t.Helper()
	if err := e.d.Bot.Settle(e.ctx()); err != nil {
		e.t.Fatalf("follow-up work did not finish: %v", err)
	}
}

func (e *env) tick() {
	e.t.Helper()
	if err := e.d.Scheduler.Tick(e.ctx()); err != nil {
		e.t.Fatalf("tick: %v", err)
	}
}

func (e *env) advanceTo(t time.Time) {
	e.clock.Set(t)
	e.tick()
}

// replyText is everything a reply says, blocks included.
// checkText fails t for each of want that got lacks and each of not
// that it has, naming what was asked (said).
func checkText(t *testing.T, said, got string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", said, w, got)
		}
	}
	for _, w := range not {
		if strings.Contains(got, w) {
			t.Errorf("%s shows %q:\n%s", said, w, got)
		}
	}
}

func replyText(r slacksim.Reply) string {
	return r.Text + "\n" + blocksText(r.Blocks)
}

func blocksText(blocks []slack.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		switch bl := bl.(type) {
		case *slack.SectionBlock:
			if bl.Text != nil {
				b.WriteString(bl.Text.Text + "\n")
			}
		case *slack.ContextBlock:
			for _, el := range bl.ContextElements.Elements {
				if t, ok := el.(*slack.TextBlockObject); ok {
					b.WriteString(t.Text + "\n")
				}
			}
		case *slack.ActionBlock:
			for _, el := range bl.Elements.ElementSet {
				switch el := el.(type) {
				case *slack.ButtonBlockElement:
					b.WriteString("[" + el.Text.Text + "]")
				case *slack.SelectBlockElement:
					b.WriteString("[" + el.Placeholder.Text + "]")
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func dateToken(t time.Time) string { return fmt.Sprintf("<!date^%d^", t.Unix()) }

func (e *env) promises() []store.Promise {
	e.t.Helper()
	ps, err := e.d.Store.Promises(team, "", "")
	if err != nil {
		e.t.Fatal(err)
	}
	return ps
}

func TestPromiseRemindDone(t *testing.T) {
	e := start(t)
	r := e.slash(ann, "Acme: call back about the renewal tomorrow 3pm")
	due := time.Date(2026, 11, 24, 15, 0, 0, 0, newYork)
	got := replyText(r)
	for _, want := range []string{"Got it", "#1", "Acme", "call back about the renewal", dateToken(due)} {
		if !strings.Contains(got, want) {
			t.Errorf("confirmation %q lacks %q", got, want)
		}
	}
	if r.ResponseType != "ephemeral" {
		t.Errorf("confirmation response_type = %q, want ephemeral", r.ResponseType)
	}
	// Committed before the ack: the store has it now.
	ps := e.promises()
	if len(ps) != 1 || !ps[0].Due.Equal(due) || ps[0].Owner != ann || ps[0].Customer != "Acme" {
		t.Fatalf("stored %+v", ps)
	}

	e.advanceTo(due.Add(-time.Minute))
	if n := len(e.sim.DMs(ann)); n != 0 {
		t.Fatalf("%d DMs before the due time", n)
	}
	e.advanceTo(due)
	dms := e.sim.DMs(ann)
	if len(dms) != 1 {
		t.Fatalf("got %d DMs at the due time, want 1", len(dms))
	}
	dm := blocksText(dms[0].Blocks)
	for _, want := range []string{"Acme", "call back about the renewal", "[Done]", "[Snooze…]"} {
		if !strings.Contains(dm, want) {
			t.Errorf("reminder %q lacks %q", dm, want)
		}
	}
	if dms[0].Metadata == nil || dms[0].Metadata.EventType != "kept_nudge" {
		t.Errorf("reminder metadata = %+v", dms[0].Metadata)
	}

	e.clock.Advance(5 * time.Minute)
	if _, err := e.sim.Click(e.ctx(), ann, dms[0], "promise_done", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	dms = e.sim.DMs(ann)
	if len(dms) != 1 || dms[0].Updates != 1 {
		t.Fatalf("want the reminder updated in place once, got %d DMs, %d updates", len(dms), dms[0].Updates)
	}
	if dm := blocksText(dms[0].Blocks); !strings.Contains(dm, "Kept, on time") || strings.Contains(dm, "[Done]") {
		t.Errorf("updated reminder = %q", dm)
	}
	if p := e.promises()[0]; p.State != store.Kept || !p.OnTime {
		t.Errorf("promise after Done = %+v", p)
	}
	// Nothing more comes: not now, not a day later.
	e.advanceTo(due.Add(48 * time.Hour))
	if n := len(e.sim.DMs(ann)); n != 1 {
		t.Errorf("%d DMs after Done, want 1", n)
	}
}

func TestSnoozeRemindsAgain(t *testing.T) {
	e := start(t)
	e.slash(ann, "Globex: send the quote in 2 hours")
	due := e.clock.Now().Add(2 * time.Hour)
	e.advanceTo(due)
	dms := e.sim.DMs(ann)
	if len(dms) != 1 {
		t.Fatalf("got %d DMs, want 1", len(dms))
	}
	if _, err := e.sim.Click(e.ctx(), ann, dms[0], "promise_snooze", "1:1h"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	p := e.promises()[0]
	if want := due.Add(time.Hour); !p.ReminderAt().Equal(want) || !p.Due.Equal(due) || p.State != store.Open {
		t.Fatalf("after snooze: due %v, reminder %v, state %s; want still due %v, reminded at %v, open", p.Due, p.ReminderAt(), p.State, due, want)
	}
	if dm := blocksText(e.sim.DMs(ann)[0].Blocks); !strings.Contains(dm, "Snoozed") {
		t.Errorf("snoozed reminder = %q", dm)
	}
	e.advanceTo(due.Add(59 * time.Minute))
	if n := len(e.sim.DMs(ann)); n != 1 {
		t.Fatalf("%d DMs before the snooze ends", n)
	}
	e.advanceTo(due.Add(time.Hour))
	if n := len(e.sim.DMs(ann)); n != 2 {
		t.Fatalf("%d DMs after the snooze, want 2", n)
	}
}

func TestSlashCommands(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back tomorrow 3pm")
	e.slash(ann, "@bob Initech: demo friday 5pm")
	tests := []struct {
		user, text string
		want       []string
	}{
		{ann, "list", []string{"#1", "Acme", "call back"}},
		{bob, "list", []string{"#2", "Initech", "demo"}},
		{bob, "done 1", []string{"Only <@U0ANN>", "can change"}},
		{ann, "snooze 1 in 3 days", []string{"Snoozed", "#1", dateToken(time.Date(2026, 11, 26, 10, 0, 0, 0, newYork))}},
		{ann, "done 1", []string{"Kept", "#1"}},
		{ann, "done 1", []string{"already kept"}},
		{ann, "cancel 2", []string{"Cancelled", "#2"}},
		{ann, "help", []string{"/promise list"}},
	}
	for _, tt := range tests {
		got := replyText(e.slash(tt.user, tt.text))
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("/promise %s (as %s) = %q, want it to contain %q", tt.text, tt.user, got, w)
			}
		}
	}
	ps := e.promises()
	if ps[0].State != store.Kept || ps[1].State != store.Cancelled || ps[1].Owner != bob || ps[1].Creator != ann {
		t.Errorf("promises = %+v", ps)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	e := start(t)
	// Gone: still known to Slack, so @gone becomes a mention, but deactivated.
	e.sim.AddUser(slacksim.User{ID: "U0GONE", Name: "gone", Deleted: true})
	// A bot: Slack opens no DM with one, so no reminder would reach it.
	e.sim.AddUser(slacksim.User{ID: "U0ROBO", Name: "robo", IsBot: true})
	tests := []struct{ text, want string }{
		{"Acme: call back", "couldn't find when"},
		{"Acme: call back yesterday 3pm", "in the past"},
		{"tomorrow 3pm", "What did you promise"},
		{"Acme: tomorrow 3pm", "What did you promise"},
		{"Acme: " + strings.Repeat("x", 2001) + " tomorrow", "under 2000"},
		{"done 99", "no promise #99"},
		{"done", "Which promise?"},
		{"snooze 1", "Until when?"},
		{"cancel abc", "Which promise?"},
		{"@gone Acme: call tomorrow", "can't find an active Slack user"},
		{"@robo Acme: call tomorrow 3pm", "<@U0ROBO> is a bot, and only a person can keep a promise"},
	}
	for _, tt := range tests {
		r := e.slash(ann, tt.text)
		if got := replyText(r); !strings.Contains(got, tt.want) {
			t.Errorf("/promise %.40s = %q, want %q", tt.text, got, tt.want)
		}
		if r.ResponseType != "ephemeral" {
			t.Errorf("/promise %.40s answered %q, want ephemeral", tt.text, r.ResponseType)
		}
	}
	if ps := e.promises(); len(ps) != 0 {
		t.Errorf("bad input stored %d promises", len(ps))
	}
	// Nor can one be handed to a bot.
	e.slash(ann, "Acme: call back tomorrow 3pm")
	if got := replyText(e.slash(ann, "give 1 @robo")); !strings.Contains(got, "is a bot") {
		t.Errorf("/promise give 1 @robo = %q, want it refused", got)
	}
	if ps := e.promises(); len(ps) != 1 || ps[0].Owner != ann {
		t.Errorf("after giving #1 to a bot: %+v", ps)
	}
}

func TestRestartSendsEachReminderOnce(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.slash(bob, "Globex: send the deck in 2 hours")
	e.stop()
	e.run()
	e.advanceTo(e.clock.Now().Add(90 * time.Minute))
	e.stop()
	e.run()
	e.advanceTo(e.clock.Now().Add(time.Hour))
	e.stop()
	e.run()
	e.tick()
	if a, b := len(e.sim.DMs(ann)), len(e.sim.DMs(bob)); a != 1 || b != 1 {
		t.Errorf("after restarts: ann got %d DMs, bob %d; want 1 each", a, b)
	}
}

func TestSecondProcessFailsFast(t *testing.T) {
	if onPostgres() {
		t.Skip("replicas share a PostgreSQL database: replica_e2e_test.go")
	}
	e := start(t)
	began := time.Now()
	_, err := daemon.New(e.cfg, daemon.Options{})
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second daemon on the same DB: err = %v, want ErrLocked", err)
	}
	if time.Since(began) > 5*time.Second {
		t.Errorf("second open took %v", time.Since(began))
	}
}

// simLatency is the Web API round trip KEPT_SIM_LATENCY asks for (a Go
// duration, e.g. 300ms; CI runs the suite once with it): Slack answers in
// 100-500 ms, and Kept must still ack within 3 s and open forms within the
// trigger's 3 s.
func simLatency(t *testing.T) time.Duration {
	v := os.Getenv("KEPT_SIM_LATENCY")
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("KEPT_SIM_LATENCY=%q: %v", v, err)
	}
	return d
}

// checkPayloads fails the test for every message or view the simulator
// refused as Slack would (invalid_blocks, invalid_arguments, msg_too_long,
// an ack past 20 KB), whether or not the test looked, and, when
// KEPT_PAYLOAD_DIR is set, writes what Kept sent there for the type check
// against Slack's published types (slacktypes/check.sh).
func checkPayloads(t *testing.T, sim *slacksim.Server) {
	for _, err := range sim.Errors() {
		var ke *slacksim.KitError
		if errors.As(err, &ke) || strings.Contains(err.Error(), "msg_too_long") || strings.Contains(err.Error(), "Slack ignores acks") {
			t.Errorf("Slack would refuse what Kept sent: %v", err)
		}
	}
	dir := os.Getenv("KEPT_PAYLOAD_DIR")
	if dir == "" {
		return
	}
	type message struct {
		Text     string          `json:"text,omitempty"`
		Blocks   json.RawMessage `json:"blocks,omitempty"`
		Metadata any             `json:"metadata,omitempty"`
	}
	var capture struct {
		Messages []message         `json:"messages"`
		Views    []json.RawMessage `json:"views"`
	}
	for _, m := range sim.Messages() {
		if m.User != "U0KEPTBOT" {
			continue
		}
		msg := message{Text: m.Text, Blocks: m.BlocksJSON}
		if m.Metadata != nil {
			msg.Metadata = m.Metadata
		}
		capture.Messages = append(capture.Messages, msg)
	}
	for _, c := range sim.Calls() {
		if strings.HasPrefix(c.Method, "views.") && c.Error == "" && c.Params["view"] != "" {
			capture.Views = append(capture.Views, json.RawMessage(c.Params["view"]))
		}
	}
	b, err := json.MarshalIndent(capture, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "_") + ".json"
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
