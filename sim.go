package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/clock"
	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/daemon"
	"github.com/keptbot/kept/simweb"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/slackui"
)

// simUsers are the people of the simulated workspace: three account
// managers in three zones, so that "9:00 in the owner's zone" can be seen to
// mean different instants, an admin (KEPT_ADMINS), a lead who reads the
// digest in #sales, and a customer from another organisation who shares a
// channel with the team.
var simUsers = []slacksim.User{
	{ID: "U0ANN", Name: "ann", RealName: "Ann Archer", TZ: "America/New_York"},
	{ID: "U0BOB", Name: "bob", RealName: "Bob Brun", TZ: "Europe/Paris"},
	{ID: "U0CID", Name: "cid", RealName: "Cid Rao", TZ: "Asia/Kolkata"},
	{ID: "U0DEE", Name: "dee", RealName: "Dee Dunn", TZ: "Europe/London"},
	{ID: "U0LEE", Name: "lee", RealName: "Lee Park", TZ: "America/Los_Angeles"},
	{ID: "U0CARA", Name: "cara", RealName: "Cara Diaz", TZ: "America/Chicago", TeamID: "T0ACME"},
}

// simPeople says what each of them stands for on the web page.
var simPeople = []simweb.Person{
	{ID: "U0ANN", Role: "account manager"},
	{ID: "U0BOB", Role: "account manager"},
	{ID: "U0CID", Role: "support"},
	{ID: "U0DEE", Role: "admin"},
	{ID: "U0LEE", Role: "lead"},
	{ID: "U0CARA", Role: "customer", Org: "Acme"},
}

const (
	simAdmin         = "U0DEE"
	simLead          = "U0LEE"
	simDigestChannel = "C0SALES"
)

// simChannels: Kept is in #sales, where the digest goes; #general is the
// team without Kept; #acme-shared is shared with the customer's
// organisation, with Kept invited so that promises made there from a
// customer's message are confirmed there.
func simChannels(bot string) []slacksim.Channel {
	team := []string{"U0ANN", "U0BOB", "U0CID", "U0DEE", "U0LEE"}
	return []slacksim.Channel{
		{ID: "C0GENERAL", Name: "general", Members: team},
		{ID: simDigestChannel, Name: "sales", Members: append(slices.Clone(team), bot)},
		{ID: "C0ACME", Name: "acme-shared", Members: []string{"U0ANN", "U0BOB", "U0CARA", bot}, Shared: true},
	}
}

// teamNames are the people the console lets you be: the team, not the
// customer, for whom Kept is not installed.
func teamNames() []string {
	var names []string
	for _, u := range simUsers {
		for _, p := range simPeople {
			if p.ID == u.ID && p.Org == "" {
				names = append(names, u.Name)
			}
		}
	}
	return names
}

const simHelp = `Type a slash command as the current user, or a console command:
  /promise Acme: call back in 5 minutes     record a promise (try /promise help)
  :as bob                 act as another user (ann, bob, cid, dee the admin, lee the lead)
  :in acme-shared         run commands and :say in another channel (sales, general, acme-shared)
  :say I'll call you tomorrow   write a message in the channel you are in
  :customer Any news?     Cara, at the customer Acme, writes in #acme-shared
                          (first: /customer add Acme, :in acme-shared, /customer link Acme)
  :advance 2h             move time forward (also 30m, 3d, 2 days); due reminders go out
  :click                  list the buttons on your last DM
  :click done             press Done on your last DM
  :click snooze 1h        pick a snooze choice (20m, 1h, 3h, tomorrow, monday)
  :time                   show the simulated time
  :help                   this text
  :quit                   leave (Ctrl-D works too)
`

// simulate runs Kept against a local Slack simulator with a prompt, so
// anyone can see it work without a workspace.
func simulate(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kept sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "", "database file (default: a fresh one in a temporary directory)")
	verbose := fs.Bool("v", false, "show Kept's logs")
	consoleMode := fs.Bool("console", false, "a text prompt instead of the web page, for scripts")
	addr := fs.String("addr", simAddr, "where the web page listens")
	open := fs.Bool("open", false, "open the web page in your browser")
	at := fs.String("at", "", "start the simulated clock at this time (RFC 3339, e.g. 2026-11-23T14:00:00Z; default: now)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !noArgs("kept sim", fs.Args(), stderr) {
		return 2
	}
	clk := clock.NewOffset()
	if *at != "" {
		start, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintf(stderr, "kept sim: -at %q is not a time like 2026-11-23T14:00:00Z\n", *at)
			return 2
		}
		clk.Advance(time.Until(start))
	}
	sim, err := slacksim.New(slacksim.Options{Now: clk.Now})
	if err != nil {
		fmt.Fprintf(stderr, "kept sim: %v\n", err)
		return 1
	}
	defer sim.Close()
	for _, u := range simUsers {
		sim.AddUser(u)
	}
	for _, c := range simChannels(sim.BotUserID()) {
		sim.AddChannel(c)
	}

	if *dbPath == "" {
		dir, err := os.MkdirTemp("", "kept-sim-")
		if err != nil {
			fmt.Fprintf(stderr, "kept sim: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
		*dbPath = filepath.Join(dir, "kept.db")
	}
	env := func(name string) string {
		switch name {
		case "SLACK_APP_TOKEN":
			return "xapp-1-sim"
		case "SLACK_BOT_TOKEN":
			return "xoxb-sim"
		case "SLACK_API_URL":
			return sim.URL()
		case "KEPT_DB":
			return *dbPath
		case "KEPT_TICK":
			return "1s"
		case "KEPT_ADMINS":
			return cmp.Or(getenv(name), simAdmin)
		case "KEPT_LEADS":
			return cmp.Or(getenv(name), simLead)
		case "KEPT_DIGEST_CHANNEL":
			return cmp.Or(getenv(name), simDigestChannel)
		}
		return getenv(name)
	}
	cfg, err := config.Load(env, true)
	if err != nil {
		fmt.Fprintf(stderr, "kept sim: %v\n", err)
		return 2
	}
	logOut := io.Discard
	if *verbose {
		logOut = stderr
	}
	d, err := daemon.New(cfg, daemon.Options{Now: clk.Now, Log: newLogger(logOut, cfg.LogLevel)})
	if err != nil {
		fmt.Fprintf(stderr, "kept sim: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- d.Run(ctx) }()
	if err := sim.WaitConnected(ctx); err != nil {
		fmt.Fprintf(stderr, "kept sim: the bot did not connect: %v\n", err)
		return 1
	}
	finish := func(code int) int {
		cancel()
		if err := <-stopped; err != nil {
			fmt.Fprintf(stderr, "kept sim: %v\n", err)
			return 1
		}
		// What real Slack would have refused or timed out on is a bug in
		// Kept (or the simulator); say so rather than let it pass.
		if errs := sim.Errors(); len(errs) > 0 {
			fmt.Fprintf(stderr, "kept sim: the simulated Slack saw %d protocol problems:\n", len(errs))
			for _, err := range errs {
				fmt.Fprintf(stderr, "  %v\n", err)
			}
		}
		return code
	}
	if !*consoleMode {
		return finish(serveWeb(ctx, sim, clk, d, *addr, *open, stdout, stderr))
	}

	c := &console{sim: sim, d: d, clock: clk, out: stdout, user: simUsers[0], channel: simDigestChannel}
	msgs, unsubscribe := sim.Subscribe()
	defer unsubscribe()
	go c.show(ctx, msgs)
	fmt.Fprintf(stdout, "Kept is running against a local Slack (%s), database %s.\n%s\n", sim.URL(), *dbPath, simHelp)
	c.loop(ctx, stdin)
	return finish(0)
}

type console struct {
	sim   *slacksim.Server
	d     *daemon.Daemon
	clock *clock.Offset
	out   io.Writer
	user  slacksim.User
	// channel is where slash commands and :say run.
	channel string
}

// show prints what the bot posts, as it happens (DMs arrive on ticks).
func (c *console) show(ctx context.Context, msgs <-chan slacksim.Message) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-msgs:
			if m.ViaResponseURL || m.ViaAck {
				continue // replies to commands are printed by the command
			}
			if m.Ephemeral {
				// An offer to track a promise: shown to its writer alone.
				fmt.Fprintf(c.out, "\n── Kept → @%s only, in #%s ──\n%s\n", c.sim.UserName(m.EphemeralTo), c.sim.ChannelName(m.Channel), c.sim.Render(m))
				continue
			}
			to := m.Channel
			for _, u := range simUsers {
				if c.sim.DMChannel(u.ID) == m.Channel {
					to = "@" + u.Name
				}
			}
			verb := "Kept → " + to
			if m.Updates > 0 {
				verb = "Kept updated its message to " + to
			}
			fmt.Fprintf(c.out, "\n── %s ──\n%s\n", verb, c.sim.Render(m))
		}
	}
}

func (c *console) loop(ctx context.Context, stdin io.Reader) {
	in := bufio.NewScanner(stdin)
	for {
		fmt.Fprintf(c.out, "%s> ", c.user.Name)
		if !in.Scan() || ctx.Err() != nil {
			fmt.Fprintln(c.out)
			return
		}
		line := strings.TrimSpace(in.Text())
		if line == ":quit" || line == ":q" {
			return
		}
		c.exec(ctx, line)
	}
}

func (c *console) exec(ctx context.Context, line string) {
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch {
	case line == "":
	case strings.HasPrefix(word, "/"):
		views := len(c.sim.Views())
		r, err := c.sim.SlashCommand(ctx, c.user.ID, c.channel, word, rest)
		if err != nil {
			fmt.Fprintf(c.out, "Slack says: %v\n", err)
			return
		}
		if len(r.Payload) == 0 || string(r.Payload) == "null" {
			c.showForm(views)
			return
		}
		var body struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(r.Payload, &body)
		fmt.Fprintf(c.out, "(only you can see this)\n%s\n", c.sim.Render(slacksim.Message{Text: r.Text, BlocksJSON: body.Blocks}))
	case word == ":as":
		for _, u := range simUsers {
			if u.Name == strings.TrimPrefix(rest, "@") && slices.Contains(teamNames(), u.Name) {
				c.user = u
				fmt.Fprintf(c.out, "You are now %s (%s, %s).\n", u.Name, u.RealName, u.TZ)
				return
			}
		}
		fmt.Fprintf(c.out, "Who? You can be %s.\n", strings.Join(teamNames(), ", "))
	case word == ":advance":
		d, err := parseAdvance(rest)
		if err != nil {
			fmt.Fprintln(c.out, err)
			return
		}
		now := c.clock.Advance(d)
		fmt.Fprintf(c.out, "It is now %s.\n", c.localTime(now))
		if err := c.d.Scheduler.Tick(ctx); err != nil {
			fmt.Fprintf(c.out, "tick failed: %v\n", err)
		}
	case word == ":in":
		name := strings.TrimPrefix(rest, "#")
		for _, ch := range simChannels("") {
			if ch.Name == name {
				c.channel = ch.ID
				fmt.Fprintf(c.out, "Commands and :say now run in #%s.\n", name)
				return
			}
		}
		fmt.Fprintln(c.out, "Which channel? sales, general or acme-shared.")
	case word == ":say", word == ":customer":
		user, channel := c.user.ID, c.channel
		if word == ":customer" {
			user, channel = "U0CARA", "C0ACME"
		}
		if rest == "" {
			fmt.Fprintf(c.out, "Say what? For example %s I'll send the revised quote tomorrow\n", word)
			return
		}
		if _, err := c.sim.Say(ctx, user, channel, rest); err != nil {
			fmt.Fprintf(c.out, "Slack says: %v\n", err)
			return
		}
		fmt.Fprintf(c.out, "(%s wrote in #%s)\n", c.sim.UserName(user), c.sim.ChannelName(channel))
		if err := c.d.Bot.Settle(ctx); err != nil {
			fmt.Fprintf(c.out, "Kept is still busy: %v\n", err)
		}
	case word == ":time":
		fmt.Fprintf(c.out, "It is %s.\n", c.localTime(c.clock.Now()))
	case word == ":click":
		c.click(ctx, rest)
	case word == ":help":
		fmt.Fprint(c.out, simHelp)
	default:
		fmt.Fprintln(c.out, "I don't know that. Type :help.")
	}
}

// showForm prints the form Kept opened since there were views views, if
// it opened one: the console cannot fill it in.
func (c *console) showForm(views int) {
	all := c.sim.Views()
	if len(all) <= views || all[len(all)-1].Kind != "open" {
		return
	}
	v := all[len(all)-1]
	title := ""
	if v.View.Title != nil {
		title = v.View.Title.Text
	}
	fmt.Fprintf(c.out, "(Kept opened a form, %q: in Slack you would fill it in here.\n%s\nThe console cannot fill forms; use the one-line version, e.g. /promise Acme: call back tomorrow 3pm.)\n", title, c.sim.RenderView(v))
}

func (c *console) localTime(t time.Time) string {
	loc, err := time.LoadLocation(c.user.TZ)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Mon 2 Jan 15:04 MST") + " for " + c.user.Name
}

// parseAdvance accepts Go durations, whole days ("3d") and spelled-out
// units ("2 days", "90 minutes").
func parseAdvance(s string) (time.Duration, error) {
	if n, unit, ok := strings.Cut(strings.TrimSpace(s), " "); ok {
		units := map[string]time.Duration{"minute": time.Minute, "min": time.Minute, "hour": time.Hour, "day": 24 * time.Hour, "week": 7 * 24 * time.Hour}
		if k, err := strconv.Atoi(n); err == nil && k > 0 {
			if u, ok := units[strings.TrimSuffix(strings.ToLower(unit), "s")]; ok {
				return time.Duration(k) * u, nil
			}
		}
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("how long? Try :advance 30m, :advance 2h or :advance 3d")
	}
	return d, nil
}

// click presses a button (or picks a menu option) on the user's last DM.
func (c *console) click(ctx context.Context, what string) {
	dms := c.sim.DMs(c.user.ID)
	if len(dms) == 0 {
		fmt.Fprintln(c.out, "You have no DMs from Kept yet. Record a promise and :advance past its due time.")
		return
	}
	last := dms[len(dms)-1]
	choices := buttons(last.Blocks)
	if len(choices) == 0 {
		fmt.Fprintln(c.out, "Your last DM has no buttons left.")
		return
	}
	what = strings.Join(strings.Fields(strings.ToLower(what)), " ")
	for _, ch := range choices {
		if what == "" {
			fmt.Fprintf(c.out, "  :click %s\n", ch.name)
			continue
		}
		if strings.HasPrefix(ch.name, what) {
			views := len(c.sim.Views())
			if _, err := c.sim.Click(ctx, c.user.ID, last, ch.actionID, ch.value); err != nil {
				fmt.Fprintf(c.out, "Slack says: %v\n", err)
			}
			// The message is rewritten after the ack: wait for it.
			if err := c.d.Bot.Settle(ctx); err != nil {
				fmt.Fprintf(c.out, "Kept is still busy: %v\n", err)
			}
			c.showForm(views)
			return
		}
	}
	if what != "" {
		fmt.Fprintln(c.out, "No such button. Type :click to list them.")
	}
}

type choice struct{ name, actionID, value string }

func buttons(blocks []slack.Block) []choice {
	var out []choice
	for _, b := range blocks {
		ab, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			switch el := el.(type) {
			case *slack.ButtonBlockElement:
				out = append(out, choice{strings.ToLower(el.Text.Text), el.ActionID, el.Value})
			case *slack.SelectBlockElement:
				// The reminder's snooze menu is ":click snooze 1h"; any other
				// menu is its placeholder and the option, ":click change
				// cadence every week".
				for _, o := range el.Options {
					name := "snooze "
					if el.ActionID != slackui.ActionSnooze && el.Placeholder != nil && o.Text != nil {
						name = strings.ToLower(el.Placeholder.Text + " " + o.Text.Text)
					} else if _, v, ok := strings.Cut(o.Value, ":"); ok {
						name += v
					}
					out = append(out, choice{name, el.ActionID, o.Value})
				}
			}
		}
	}
	return out
}
