package inbound

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
)

// The route table: everything Kept answers on the Slack surface, in one
// place. Dispatch, the help, the metric labels and the manifest test all
// read it, so a new slash verb is one row here and its handler.

// call is one slash command on its way to its handler.
type call struct {
	ctx  context.Context
	op   string // the envelope id: a redelivered command takes effect once
	cmd  slack.SlashCommand
	args string // the text after the verb (and sub-verb)
	base *slog.Logger
	via  string // how the command came other than typed ("time question")
}

// log is the logger of the command, with its attributes. It is made when
// something is logged, not per command: slog's With formats its
// attributes at once, and most commands log nothing (issue 18).
func (c call) log() *slog.Logger {
	l := c.base.With("command", c.cmd.Command, "user", c.cmd.UserID, "team", c.cmd.TeamID)
	if c.via != "" {
		l = l.With("via", c.via)
	}
	return l
}

// verb is a first word a command understands.
type verb struct {
	name    string
	aliases []string
	usage   string // what to type, as the help shows it
	help    string // what it does, after the usage in the help
	handle  func(b *Bot, c call) (any, error)
	// sub are the words the verb takes next (`/customer digest here`);
	// the one named "" handles the verb alone.
	sub []verb
}

// example is a line of the help for what a command does with text that
// starts with no verb (`/promise Acme: …`).
type example struct{ usage, help string }

// command is a slash command.
type command struct {
	name  string
	intro string // the help's first line
	verbs []verb
	// text handles what starts with no verb; empty handles no text at all.
	text, empty func(b *Bot, c call) (any, error)
	examples    []example // the help's lines for text
	outro       string    // the help's last line
	// lookalikes are words that look like a verb but are not one; with
	// typos of a verb, they get the help rather than becoming text.
	lookalikes map[string]string // word → the verb meant
}

// action handles a click on an interactive element, by action id.
type action func(b *Bot, c click) error

// click is one block action on its way to its handler.
type click struct {
	ctx context.Context
	op  string
	cb  slack.InteractionCallback
	a   *slack.BlockAction
}

var (
	commands  []command
	actions   map[string]action
	views     map[string]func(b *Bot, ctx context.Context, op string, cb slack.InteractionCallback) any
	shortcuts map[string]func(b *Bot, ctx context.Context, cb slack.InteractionCallback)
	events    map[string]func(b *Bot, ctx context.Context, e slackevents.EventsAPIEvent)
)

// The table is filled in init: its handlers refer back to it (the help,
// the verb lookup), which a variable's initializer may not.
func init() {
	commands = []command{
		{
			name:  "/promise",
			intro: "*Kept remembers what you promise customers and nudges you when it is due.*",
			text:  (*Bot).newPromise,
			empty: (*Bot).promiseForm,
			examples: []example{
				{"/promise Acme: send the renewal quote friday 5pm", "records a promise; the time is read in your time zone"},
				{"/promise @ann Acme: call back tomorrow 3pm", "makes Ann the owner"},
				{"/promise", "alone opens a form"},
			},
			verbs: []verb{
				{name: "list", usage: "/promise list", help: "shows your open promises, soonest due first, a page at a time; add `overdue`, `by me` (the ones you recorded for others), `@ann` or a customer's name to narrow it", handle: (*Bot).listPromises},
				{name: "show", usage: "/promise show 42", help: "shows #42 in full, with its history", handle: (*Bot).showPromise},
				{name: "edit", usage: "/promise edit 42", help: "opens #42 in a form to change what, when, for whom or who keeps it", handle: (*Bot).editPromise},
				{name: "done", usage: "/promise done 42", help: "marks #42 kept", handle: changeVerb("done")},
				{name: "snooze", usage: "/promise snooze 42 tomorrow", help: "reminds you of #42 later; on time still means by the time you promised", handle: changeVerb("snooze")},
				{name: "move", usage: "/promise move 42 friday 5pm", help: "changes what you promised for #42, once you told the customer a new time; the history and the digest show the move", handle: changeVerb("move")},
				{name: "cancel", usage: "/promise cancel 42", help: "cancels #42: nobody is reminded", handle: changeVerb("cancel")},
				{name: "give", usage: "/promise give 42 @bob", help: "hands #42 to Bob", handle: (*Bot).give},
				{name: "suggestions", usage: "/promise suggestions off", help: "stops my offers to track promises you write in customer channels (`on` brings them back)", handle: (*Bot).suggestionsCommand},
				{name: "help", usage: "/promise help", help: "shows this", handle: helpVerb("/promise")},
			},
			outro: "Times: `in 2 hours`, `tomorrow 3pm`, `friday eod`, `on the 15th`, `dec 3`, `in 3 business days`, `every monday and thursday 10am`. A date without a time means 9:00; a date that reads two ways (`3/4`) gets a question.",
			lookalikes: map[string]string{
				"delete": "cancel", "del": "cancel", "remove": "cancel", "rm": "cancel", "drop": "cancel", "abandon": "cancel",
				"complete": "done", "completed": "done", "finish": "done", "finished": "done", "close": "done", "keep": "done", "kept": "done",
				"assign": "give", "reassign": "give", "transfer": "give", "handoff": "give", "hand": "give",
				"postpone": "snooze", "defer": "snooze", "delay": "snooze", "later": "snooze", "remind": "snooze",
				"ls": "list", "all": "list",
				"update": "edit", "change": "edit", "modify": "edit", "reschedule": "move",
				"view": "show", "info": "show", "details": "show",
			},
		},
		{
			name:  "/customer",
			intro: "*Keep in touch with the customers that matter, not only when something is wrong.*",
			text:  (*Bot).customerVerb,
			empty: helpVerb("/customer"),
			examples: []example{
				{"/customer Acme", "shows its card: owner, cadence, last touch, open promises, recent touches"},
			},
			verbs: []verb{
				{name: "add", aliases: []string{"new"}, usage: "/customer add Acme every 14d tier key owner @ann", help: "adds a customer (defaults: you own it, tier standard, the tier's cadence); also `channel #acme-shared`; `/customer add` alone opens a form", handle: (*Bot).customerVerb},
				{name: "show", usage: "/customer show Acme", help: "shows its card, as `/customer Acme` does", handle: (*Bot).customerVerb},
				{name: "list", aliases: []string{"ls"}, usage: "/customer list", help: "lists customers, most overdue first", handle: (*Bot).customerVerb},
				{name: "edit", aliases: []string{"set"}, usage: "/customer edit Acme every 30d", help: "changes the cadence; also `tier key`, `owner @bob`, `channel #acme-shared` (links it), `notes …`, and dates that matter: `renewal 2027-03-01`, `contract start 2024-03-14`, `go-live …`, `date \"kickoff anniversary\" mar 14` (`none` removes one); `/customer edit Acme` alone opens its form, channels included", handle: (*Bot).customerVerb},
				{name: "remove", aliases: []string{"delete", "rm"}, usage: "/customer remove Acme", help: "removes it (after you confirm)", handle: (*Bot).customerVerb},
				{name: "link", usage: "/customer link Acme #acme-shared", help: "links a channel to it (this one if you name none; invite me there first with `/invite @Kept`): what our side writes there counts as a touch, and its owner hears when the customer waits on us", handle: (*Bot).linkVerb},
				{name: "unlink", usage: "/customer unlink #acme-shared", help: "stops that", handle: (*Bot).unlinkVerb},
				{name: "digest", usage: "/customer digest", help: "shows the lead's digest; `/customer digest help` for the rest", sub: []verb{
					{name: "", usage: "/customer digest", help: "shows it to you alone", handle: (*Bot).digestReply},
					{name: "here", usage: "/customer digest here", help: "posts it in this channel", handle: (*Bot).digestHere},
					{name: "subscribe", usage: "/customer digest subscribe", help: "sends it here on schedule, for this channel's members' customers (`subscribe all` for everyone's)", handle: (*Bot).subscribe},
					{name: "unsubscribe", usage: "/customer digest unsubscribe", help: "stops that", handle: (*Bot).unsubscribe},
					{name: "help", usage: "/customer digest help", help: "shows this", handle: digestHelpVerb},
				}},
				{name: "help", usage: "/customer help", help: "shows this", handle: helpVerb("/customer")},
			},
			outro: "• `/touch Acme called just to talk; they open an office in Lyon` logs a touch.\n" +
				"Cadences: `every 14d`, `every 2w`, `every 3 months`, `never`. When a customer's last touch is older than its cadence, its owner gets one prompt, in their working hours. Keeping a promise for a customer counts as a touch.",
		},
		{
			name:  "/touch",
			intro: "*Log a contact with a customer*; the next keep-in-touch prompt then counts from it. Kinds: call (the default), meeting, email, message, note, problem solved, sale closed, renewal. A day in the past goes before the colon; a day ahead is refused. After a problem solved or a sale closed, the customer's owner is offered a follow-up promise in a DM.",
			text:  (*Bot).touchCommand,
			empty: helpVerb("/touch"),
			examples: []example{
				{"/touch Acme called just to talk; they open an office in Lyon", "logs a call with its note"},
				{"/touch Acme problem solved: fixed the SSO bug", "logs a touch of that kind"},
				{"/touch Acme yesterday: lunch in Lyon", "dated in the past (also `call 2026-11-28: …`, `monday 3pm`, `3 days ago`)"},
				{"/touch Acme", "alone opens a short form: kind, day, what happened"},
			},
			verbs: []verb{
				{name: "help", usage: "/touch help", help: "shows this", handle: helpVerb("/touch")},
			},
		},
	}
	actions = map[string]action{
		slackui.ActionDone:           (*Bot).promiseAction,
		slackui.ActionSnooze:         (*Bot).promiseAction,
		slackui.ActionReassign:       (*Bot).promiseAction,
		slackui.ActionCheckinTouch:   (*Bot).customerAction,
		slackui.ActionCheckinSnooze:  (*Bot).customerAction,
		slackui.ActionCheckinCadence: (*Bot).customerAction,
		slackui.ActionHomeTouch:      (*Bot).customerAction,
		slackui.ActionCustomerRemove: (*Bot).removeClicked,
		slackui.ActionCustomerKeep:   (*Bot).removeClicked,
		slackui.ActionListMore:       (*Bot).nextPage,
		slackui.ActionCustomerPage:   (*Bot).pageClicked,
		slackui.ActionTimeCancel:     (*Bot).timeChoice,

		slackui.ActionSuggestTrack:   (*Bot).trackSuggestion, // listen.go
		slackui.ActionSuggestChange:  (*Bot).changeSuggestion,
		slackui.ActionSuggestDismiss: (*Bot).dismissSuggestion,
		slackui.ActionOfferAccept:    (*Bot).acceptOffer, // offer.go
		slackui.ActionOfferChange:    (*Bot).changeOffer,
		slackui.ActionGestureNote:    (*Bot).gestureDone, // dates.go
		slackui.ActionGestureCall:    (*Bot).gestureDone,
		slackui.ActionLinkChannel:    (*Bot).linkClicked,
		slackui.ActionLinkPick:       (*Bot).linkClicked,
		slackui.ActionLinkNone:       (*Bot).linkClicked,
		slackui.ActionWaitHandled:    (*Bot).waitHandled,
		slackui.ActionWaitPromise:    (*Bot).waitPromise,

		slackui.ActionTeamView:     (*Bot).teamAction, // team.go
		slackui.ActionTeamMine:     (*Bot).teamAction,
		slackui.ActionTeamRefresh:  (*Bot).teamAction,
		slackui.ActionTeamNudge:    (*Bot).teamAction,
		slackui.ActionTeamReassign: (*Bot).teamAction,
		slackui.ActionTeamOpen:     (*Bot).teamAction,
	}
	for i := range slackui.MaxTimeChoices {
		actions[slackui.TimeChoiceAction(i)] = (*Bot).timeChoice
	}
	views = map[string]func(b *Bot, ctx context.Context, op string, cb slack.InteractionCallback) any{
		slackui.PromiseCallback:      (*Bot).submitPromiseModal,
		slackui.EditCallback:         (*Bot).submitEdit,
		slackui.SnoozeCallback:       (*Bot).submitSnoozeModal,
		slackui.TouchCallback:        (*Bot).submitTouchModal,
		slackui.CustomerFormCallback: (*Bot).submitCustomerForm, // customerform.go
	}
	shortcuts = map[string]func(b *Bot, ctx context.Context, cb slack.InteractionCallback){
		slackui.ShortcutCallback: (*Bot).shortcut,
	}
	events = map[string]func(b *Bot, ctx context.Context, e slackevents.EventsAPIEvent){
		"app_home_opened":       (*Bot).homeOpened,
		"message":               (*Bot).messageEvent,      // listen.go
		"member_joined_channel": (*Bot).memberJoinedEvent, // listen.go
	}

	// What the manifest must declare (surface.go).
	Commands = map[string][]string{}
	for _, c := range commands {
		for _, v := range c.verbs {
			Commands[c.name] = append(Commands[c.name], v.name)
		}
	}
	Shortcuts = nil
	for id := range shortcuts {
		Shortcuts = append(Shortcuts, id)
	}
	Events = nil
	for typ := range events {
		if names, ok := subscribedAs[typ]; ok {
			Events = append(Events, names...)
			continue
		}
		Events = append(Events, typ)
	}
}

// subscribedAs names the subscriptions of an event type whose manifest
// name is not its type: message events come as message.channels (public
// channels) and message.groups (private ones).
var subscribedAs = map[string][]string{"message": {"message.channels", "message.groups"}}

// commandNamed is the route of a slash command, if Kept has one.
func commandNamed(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// lookup finds the verb word names among verbs, by name or alias.
func lookup(verbs []verb, word string) (verb, bool) {
	word = strings.ToLower(word)
	for _, v := range verbs {
		if v.name == word || (word != "" && containsFold(v.aliases, word)) {
			return v, true
		}
	}
	return verb{}, false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// route finds what handles text for c: a verb (and its sub-verb), the
// text handler, or none. label is the metrics label's verb part.
func (c command) route(text string) (handle func(*Bot, call) (any, error), args, label string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return c.empty, "", ""
	}
	first, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	v, ok := lookup(c.verbs, first)
	if !ok {
		return c.text, text, "text"
	}
	if v.sub == nil {
		return v.handle, rest, v.name
	}
	second, tail, _ := strings.Cut(rest, " ")
	if s, ok := lookup(v.sub, second); ok && second != "" {
		return s.handle, strings.TrimSpace(tail), v.name + " " + s.name
	}
	s, _ := lookup(v.sub, "")
	return s.handle, rest, v.name
}

// command answers a slash command through the route table.
func (b *Bot) command(ctx context.Context, op string, cmd slack.SlashCommand) (any, error) {
	if err := b.mayUse(ctx, cmd.TeamID, cmd.UserID); err != nil {
		return nil, err
	}
	if cmd.ChannelID != "" && !model.ValidChannel(cmd.ChannelID) {
		// Slack always names the conversation of a command by its id.
		return nil, invalid("I can't tell which conversation this command came from, so I did nothing. Please try again, in a channel or in my DM.")
	}
	cmd.Text = unescapeEntities(cmd.Text)
	return b.route(ctx, op, cmd, "")
}

// route answers a command whose text is already unescaped: typed, or
// carried by a time question's button (timeChoice), which via says.
func (b *Bot) route(ctx context.Context, op string, cmd slack.SlashCommand, via string) (any, error) {
	c, ok := commandNamed(cmd.Command)
	if !ok {
		call{cmd: cmd, base: b.cfg.Log, via: via}.log().Warn("unknown slash command")
		return nil, invalid("I don't know the command " + slackui.Escape(cmd.Command) + ". Try `/promise help`.")
	}
	if unreadable(cmd.Text) {
		return nil, invalid(unreadableText + " " + helpHint(c.name))
	}
	handle, args, label := c.route(cmd.Text)
	if label == "text" {
		if err := c.notAVerb(cmd.Text); err != nil {
			return nil, err
		}
	}
	return handle(b, call{ctx: ctx, op: op, cmd: cmd, args: args, base: b.cfg.Log, via: via})
}

// numberFirst matches text that starts with a promise number or is empty:
// what follows a verb, and not a promise's words.
var numberFirst = regexp.MustCompile(`^(#?\d+\b.*)?$`)

// notAVerb refuses text whose first word looks like a verb Kept does not
// have (`delete 3`, `dnoe 4`, `edit 1 send the deck v2`): recorded as a
// promise, it would remind someone of "delete 3". A first word that is a
// known lookalike or a typo of a verb, followed by nothing or a number,
// gets the help instead, with the verb that was probably meant.
func (c command) notAVerb(text string) error {
	if c.lookalikes == nil {
		return nil
	}
	first, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	word := strings.ToLower(first)
	rest = strings.TrimSpace(rest)
	if !isWord(word) || !numberFirst.MatchString(rest) {
		return nil
	}
	meant, known := c.lookalikes[word]
	if !known {
		var ok bool
		if meant, ok = c.typoOf(word); !ok {
			return nil
		}
	}
	msg := "I don't know `" + c.name + " " + slackui.Escape(first) + "`, so I recorded nothing."
	if meant != "" {
		msg += " Did you mean `" + strings.TrimSpace(c.name+" "+meant+" "+slackui.Escape(rest)) + "`?"
	}
	return refusal{refusedInvalid, msg + "\n" + c.help()}
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// typoOf is the verb word is one slip away from: a letter wrong, missing,
// extra or two swapped (two slips for words of six letters or more).
func (c command) typoOf(word string) (string, bool) {
	if len(word) < 3 {
		return "", false
	}
	limit := 1
	if len(word) >= 6 {
		limit = 2
	}
	near := func(name string) bool {
		// The distance is at least the difference in length.
		if abs(len(name)-len(word)) > limit {
			return false
		}
		d := editDistance(word, name)
		return d > 0 && d <= limit
	}
	for _, v := range c.verbs {
		if near(v.name) || slices.ContainsFunc(v.aliases, near) {
			return v.name, true
		}
	}
	return "", false
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours. It keeps
// three rows of the table, on the stack for words of under 32 bytes: it
// runs on the first word of every /promise that is followed by a number.
func editDistance(a, b string) int {
	var buf [3 * 32]int
	rows := buf[:]
	if n := 3 * (len(b) + 1); n > len(rows) {
		rows = make([]int, n)
	}
	w := len(b) + 1
	before, prev, cur := rows[:w], rows[w:2*w], rows[2*w:3*w]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], before[j-2]+1)
			}
		}
		before, prev, cur = prev, cur, before
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// help is the command's help, written from its routes.
func (c command) help() string {
	lines := []string{c.intro}
	for _, e := range c.examples {
		lines = append(lines, "• `"+e.usage+"` "+e.help+".")
	}
	for _, v := range c.verbs {
		lines = append(lines, "• `"+v.usage+"` "+v.help+".")
	}
	if c.outro != "" {
		lines = append(lines, c.outro)
	}
	return strings.Join(lines, "\n")
}

// subHelp is the help of a verb's sub-verbs.
func subHelp(intro string, v verb) string {
	lines := []string{intro}
	for _, s := range v.sub {
		lines = append(lines, "• `"+s.usage+"` "+s.help)
	}
	return strings.Join(lines, "\n")
}

// helpHint points to a command's help.
func helpHint(name string) string { return "`" + name + " help` shows what it takes." }

// helpText is a command's help by name.
func helpText(name string) string {
	c, _ := commandNamed(name)
	return c.help()
}

func helpVerb(name string) func(*Bot, call) (any, error) {
	return func(*Bot, call) (any, error) {
		text := helpText(name)
		return ephemeral(text, slackui.Section(text)), nil
	}
}

// kindOf names what an envelope carried with a label of bounded
// cardinality, from the route table: what users type never becomes a
// label.
func kindOf(data any) string {
	switch d := data.(type) {
	case slack.SlashCommand:
		c, ok := commandNamed(d.Command)
		if !ok {
			return "unknown_command"
		}
		_, _, label := c.route(d.Text)
		return strings.TrimSpace(d.Command + " " + label)
	case slack.InteractionCallback:
		switch d.Type {
		case slack.InteractionTypeBlockActions:
			if len(d.ActionCallback.BlockActions) > 0 {
				if id := d.ActionCallback.BlockActions[0].ActionID; actions[id] != nil {
					return "block_actions:" + id
				}
				return "block_actions:unknown"
			}
		case slack.InteractionTypeViewSubmission:
			if views[d.View.CallbackID] != nil {
				return "view_submission:" + d.View.CallbackID
			}
			return "view_submission:unknown"
		case slack.InteractionTypeMessageAction:
			if shortcuts[d.CallbackID] != nil {
				return "shortcut:" + d.CallbackID
			}
			return "shortcut:unknown"
		}
		return "interactive"
	case slackevents.EventsAPIEvent:
		if events[d.InnerEvent.Type] != nil {
			return "event:" + d.InnerEvent.Type
		}
		return "event:unknown"
	}
	return "other"
}

// interaction answers a click, a form or a shortcut through the route
// table; the ack payload is a form's answer, else nil.
func (b *Bot) interaction(ctx context.Context, op string, cb slack.InteractionCallback) (any, error) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions, slack.InteractionTypeMessageAction:
		// A form is signed for whom it was opened (metadata.go), by a
		// command or a click checked here.
		if err := b.mayUse(ctx, cb.Team.ID, cb.User.ID); err != nil {
			b.later(ctx, func(ctx context.Context) { b.tell(ctx, cb, err) })
			return nil, err
		}
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		// Slack sends one action per click. Several would run under one
		// envelope's op, all but the first then taken for a redelivery:
		// done in words, not in the store.
		if n := len(slices.DeleteFunc(slices.Clone(cb.ActionCallback.BlockActions), func(a *slack.BlockAction) bool { return a == nil })); n > 1 {
			b.cfg.Log.Warn("a click with several actions", "actions", n)
			b.later(ctx, func(ctx context.Context) { b.tell(ctx, cb, errDamagedButton) })
			return nil, errDamagedButton
		}
		var errs []error
		for _, a := range cb.ActionCallback.BlockActions {
			if a == nil {
				continue
			}
			handle, ok := actions[a.ActionID]
			if !ok {
				b.cfg.Log.Warn("unknown action", "action", a.ActionID)
				continue
			}
			if err := handle(b, click{ctx: ctx, op: op, cb: cb, a: a}); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			b.later(ctx, func(ctx context.Context) { b.tell(ctx, cb, errs[0]) })
			return nil, errs[0]
		}
	case slack.InteractionTypeViewSubmission:
		if submit, ok := views[cb.View.CallbackID]; ok {
			if fe := unreadableFields(cb); fe != nil {
				return fe, refusal{refusedInvalid, fe.first()}
			}
			reply := submit(b, ctx, op, cb)
			if fe, ok := reply.(formErrors); ok {
				fe = b.plainErrors(ctx, fe)
				return fe, refusal{refusedInvalid, fe.first()}
			}
			return reply, nil
		}
	case slack.InteractionTypeMessageAction:
		if open, ok := shortcuts[cb.CallbackID]; ok {
			open(b, ctx, cb)
		}
	}
	return nil, nil
}

// plainErrors words a form's errors in plain text, which is how Slack
// shows them: a refusal written for a message (a mention, a customer in
// bold) would show its markup.
func (b *Bot) plainErrors(ctx context.Context, fe formErrors) formErrors {
	out := make(formErrors, len(fe))
	for field, msg := range fe {
		out[field] = slackui.PlainText(msg, func(user string) string { return b.zones.Name(ctx, user) })
	}
	return out
}

// event handles an Events API event through the route table.
func (b *Bot) event(ctx context.Context, e slackevents.EventsAPIEvent) {
	if handle, ok := events[e.InnerEvent.Type]; ok {
		handle(b, ctx, e)
	}
}

func (b *Bot) homeOpened(ctx context.Context, e slackevents.EventsAPIEvent) {
	if ev, ok := e.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok && (ev.Tab == "" || ev.Tab == "home") {
		if b.mayUse(ctx, e.TeamID, ev.User) != nil {
			return // an event naming another team than its user's: their Home stays as it is
		}
		b.publishHome(ctx, e.TeamID, ev.User)
	}
}
