package inbound

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/keptbot/kept/commitment"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/zones"
)

// Listening in customer channels (issue 15). In a channel linked to a
// customer, a message by our side logs a touch (at most one per person per
// customer per Config.TouchEvery), closes what the customer was waiting
// on, and, if it promises something with a time, earns its writer an
// ephemeral offer to track it. A message by the customer's side records
// when we last heard from them and starts the "waiting on us" clock. Kept
// never posts where the customer can see: offers are ephemeral to one of
// our people, everything else is a DM.

// Listening is the part of the store the listener uses.
type Listening interface {
	LinkChannel(team, channel, customer, by string) (store.ChannelLink, error)
	UnlinkChannel(team, channel string) (store.ChannelLink, error)
	ChannelCustomer(team, channel string) (store.Customer, error)
	CustomerChannels(team, customer string) ([]string, error)
	SetHeard(team, customer string, h store.Heard) error
	LastHeard(team, customer string) (store.Heard, error)
	OpenWait(w store.Wait, n store.Nudge) (store.Wait, error)
	CloseWait(team, channel, thread, ts string) (store.Wait, error)
	CustomerWaits(team, customer string) ([]store.Wait, error)
	SetSuggestions(team, user string, on bool) error
	SuggestionsOff(team, user string) (bool, error)
	MarkApplied(op string) error
}

// Defaults for the listener's settings.
const (
	defaultTouchEvery   = 4 * time.Hour
	defaultWaitingAfter = 4 * time.Hour
)

// channelAPI is what the listener asks Slack beyond Slack: whether a
// channel is shared and whether Kept is in it, and who Kept is.
type channelAPI interface {
	GetConversationInfoContext(ctx context.Context, input *slack.GetConversationInfoInput) (*slack.Channel, error)
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	DeleteMessageContext(ctx context.Context, channel, messageTimestamp string) (string, string, error)
}

// identity is Kept's own bot user, asked of auth.test once.
type identity struct {
	mu   sync.Mutex
	user string
}

func (b *Bot) botUser(ctx context.Context) string {
	b.self.mu.Lock()
	defer b.self.mu.Unlock()
	if b.self.user != "" {
		return b.self.user
	}
	if api, ok := b.api.(channelAPI); ok {
		if res, err := api.AuthTestContext(ctx); err == nil {
			b.self.user = res.UserID
		}
	}
	return b.self.user
}

// messageEvent is the route of message events (message.channels,
// message.groups). What Kept records of the message is done before the
// ack when it can be (beforeAck), so a crash cannot lose it: Slack sends
// an event it has no ack for again.
func (b *Bot) messageEvent(ctx context.Context, e slackevents.EventsAPIEvent) {
	if ev, ok := e.InnerEvent.Data.(*slackevents.MessageEvent); ok {
		b.beforeAck(ctx, func(ctx context.Context) { b.heard(ctx, e.TeamID, ev) })
	}
}

// memberJoinedEvent is the route of member_joined_channel.
func (b *Bot) memberJoinedEvent(ctx context.Context, e slackevents.EventsAPIEvent) {
	if ev, ok := e.InnerEvent.Data.(*slackevents.MemberJoinedChannelEvent); ok {
		b.beforeAck(ctx, func(ctx context.Context) { b.joined(ctx, e.TeamID, ev) })
	}
}

// heard handles a message event.
func (b *Bot) heard(ctx context.Context, team string, ev *slackevents.MessageEvent) {
	switch ev.SubType {
	case "", "thread_broadcast", "file_share":
	default:
		return // edits, deletions, joins, channel changes: not something said
	}
	if ev.BotID != "" || ev.User == "" || ev.ChannelType == "im" || ev.ChannelType == "mpim" {
		return
	}
	if me := b.botUser(ctx); me != "" && ev.User == me {
		return
	}
	c, err := b.listen.ChannelCustomer(team, ev.Channel)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			b.cfg.Log.Error("customer of channel", "channel", ev.Channel, "err", err)
		}
		return
	}
	log := b.cfg.Log.With("team", team, "channel", ev.Channel, "customer", c.Name, "user", ev.User)
	at, ok := slackui.TSTime(ev.TimeStamp)
	if !ok {
		at = b.cfg.Now()
	}
	// In a shared channel the other organisation's people carry their own
	// team: as user_team and source_team, or only as the message's team
	// (the shape Slack documents). A message naming none is from this
	// workspace.
	writerTeam := ""
	if ev.Message != nil {
		writerTeam = ev.Message.Team
	}
	ours := cmp.Or(ev.UserTeam, ev.SourceTeam, writerTeam, team) == team
	if !ours {
		// On Enterprise Grid a colleague's message carries the workspace
		// of the org they belong to, which may not be this one: Slack's
		// profile says whether they are of this workspace's org. When it
		// cannot say, the team the message names decides.
		if s, err := b.zones.StandingIn(ctx, ev.User, team); err == nil && s == zones.Member {
			ours = true
		}
	}
	if ours {
		b.ourSideWrote(ctx, log, team, c, ev, at)
	} else {
		b.customerWrote(ctx, log, team, c, ev, at)
	}
}

func (b *Bot) excerpt(text string) string {
	n := b.cfg.Excerpt
	if n <= 0 || text == "" {
		return ""
	}
	text = strings.Join(strings.Fields(unescapeEntities(text)), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	return string([]rune(text)[:n-1]) + "…"
}

func (b *Bot) permalink(ctx context.Context, channel, ts string) string {
	link, err := b.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
	if err != nil {
		b.cfg.Log.Warn("permalink", "channel", channel, "err", err)
	}
	return link
}

// ourSideWrote logs the touch, closes what was waiting and offers to track
// a promise.
func (b *Bot) ourSideWrote(ctx context.Context, log *slog.Logger, team string, c store.Customer, ev *slackevents.MessageEvent, at time.Time) {
	b.answered(ctx, log, team, ev.Channel, ev.ThreadTimeStamp)
	b.messageTouch(ctx, log, team, c, ev, at)
	b.offer(ctx, log, team, c, ev)
}

// messageTouch logs a touch of kind message, unless the same person logged
// one for this customer less than TouchEvery ago.
func (b *Bot) messageTouch(ctx context.Context, log *slog.Logger, team string, c store.Customer, ev *slackevents.MessageEvent, at time.Time) {
	every := cmp.Or(b.cfg.TouchEvery, defaultTouchEvery)
	recent, err := b.store.Touches(team, c.Name, 50)
	if err != nil {
		log.Error("touches", "err", err)
		return
	}
	for _, t := range recent {
		if t.Kind == touchMessage && t.By == ev.User && at.Sub(t.At) < every && t.At.Sub(at) < every {
			return
		}
	}
	note := "Wrote in " + slackui.MentionChannel(ev.Channel)
	if link := b.permalink(ctx, ev.Channel, ev.TimeStamp); link != "" {
		note += ": " + link
	}
	op := "touch:" + team + ":" + ev.Channel + ":" + ev.TimeStamp
	_, err = b.store.AddTouch(op, store.Touch{Team: team, Customer: c.Name, By: ev.User, At: at, Kind: touchMessage, Note: note})
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		log.Error("log message touch", "err", err)
		return
	}
	b.refreshHome(ctx, team, c.Owner)
}

// touchMessage is the touch kind for a message in a customer channel.
const touchMessage = store.TouchMessage

// answered closes the waits our side's message answers: the channel's own
// for a message in the channel; for a reply, its thread's, and the
// channel's if the reply answers the message that started it. A DM
// already sent about it is deleted.
func (b *Bot) answered(ctx context.Context, log *slog.Logger, team, channel, thread string) {
	// A reply in a thread closes the channel's wait only if the thread's
	// first message started it; the store compares in the transaction
	// that closes, so a newer message in the channel keeps its wait.
	type closing struct{ thread, ts string }
	closes := []closing{{thread, ""}}
	if thread != "" {
		closes = append(closes, closing{"", thread})
	}
	for _, c := range closes {
		w, err := b.listen.CloseWait(team, channel, c.thread, c.ts)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrOtherWait) {
				log.Error("close wait", "err", err)
			}
			continue
		}
		b.withdrawWaitingDM(ctx, log, w)
	}
}

func (b *Bot) listenWait(team, channel, thread string) (store.Wait, error) {
	type waiter interface {
		Wait(team, channel, thread string) (store.Wait, error)
	}
	if s, ok := b.listen.(waiter); ok {
		return s.Wait(team, channel, thread)
	}
	return store.Wait{}, store.ErrNotFound
}

// withdrawWaitingDM deletes the DM sent about w, if it was sent: where
// the wait says it landed, or, for one sent before the wait kept that,
// where its nudge does. One not yet sent finds no wait at delivery and is
// dropped; one on its way to Slack as the wait closed is withdrawn by the
// notifier when Slack answers (notify.settleWaiting).
func (b *Bot) withdrawWaitingDM(ctx context.Context, log *slog.Logger, w store.Wait) {
	channel, ts := w.DMChannel, w.DMTS
	if ts == "" && w.NudgeID != 0 {
		if n, err := b.store.Nudge(w.NudgeID); err == nil {
			channel, ts = n.Channel, n.TS
		}
	}
	if ts == "" {
		return
	}
	api, ok := b.api.(channelAPI)
	if !ok {
		return
	}
	if _, _, err := api.DeleteMessageContext(ctx, channel, ts); err != nil {
		log.Warn("delete the waiting DM", "err", err)
	}
}

// customerWrote records when we last heard from the customer and starts
// the waiting-on-us clock, with the owner's DM queued for when it runs out
// in their working hours.
func (b *Bot) customerWrote(ctx context.Context, log *slog.Logger, team string, c store.Customer, ev *slackevents.MessageEvent, at time.Time) {
	if err := b.listen.SetHeard(team, c.Name, store.Heard{At: at, By: ev.User, Channel: ev.Channel, TS: ev.TimeStamp}); err != nil {
		log.Error("record last heard", "err", err)
	}
	if c.Owner == "" {
		return
	}
	loc := b.zoneOr(ctx, c.Owner)
	after := cmp.Or(b.cfg.WaitingAfter, defaultWaitingAfter)
	// The zero WorkHours is workhours.Default here too, as for "in 3
	// business days": a message on Friday evening does not wait the weekend.
	due := b.cfg.WorkHours.OrDefault().Add(at, after, loc)
	w := store.Wait{
		Team: team, Customer: c.Name, Channel: ev.Channel, Thread: ev.ThreadTimeStamp, TS: ev.TimeStamp,
		By: ev.User, At: at, Excerpt: b.excerpt(ev.Text), Link: b.permalink(ctx, ev.Channel, ev.TimeStamp),
	}
	n := store.Nudge{Kind: store.Waiting, Team: team, To: c.Owner, Subject: ev.Channel + "|" + ev.ThreadTimeStamp, NotBefore: due.UTC()}
	// Slack may deliver the message again after our side answered it (a
	// late ack, a retry to another connection); the wait it opened is
	// closed by then, and must not open again for what was answered.
	op := "wait:" + team + ":" + ev.Channel + ":" + ev.TimeStamp
	if done, err := b.store.Applied(op); err == nil && done {
		return
	}
	_, err := b.listen.OpenWait(w, n)
	if err != nil && !errors.Is(err, store.ErrWaiting) {
		log.Error("open wait", "err", err)
		return
	}
	if err := b.listen.MarkApplied(op); err != nil && !errors.Is(err, store.ErrDuplicate) {
		log.Error("record the wait's message", "err", err)
	}
	b.refreshHome(ctx, team, c.Owner)
}

// offer sends the writer, and only them, an ephemeral offer to track the
// promise their message makes, once per message.
func (b *Bot) offer(ctx context.Context, log *slog.Logger, team string, c store.Customer, ev *slackevents.MessageEvent) {
	if off, err := b.listen.SuggestionsOff(team, ev.User); err != nil || off {
		return
	}
	loc := b.zoneOr(ctx, ev.User)
	r := commitment.Detect(ev.Text, b.cfg.Now(), loc)
	if !r.Found() {
		return
	}
	if err := b.listen.MarkApplied("offer:" + team + ":" + ev.Channel + ":" + ev.TimeStamp); err != nil {
		return // offered already (a redelivered event), or the store failed: stay quiet
	}
	s := slackui.Suggestion{Task: r.Task, Due: r.Due.Unix(), Customer: c.Name, Channel: ev.Channel, TS: ev.TimeStamp, Zone: loc.String(), For: ev.User}
	fallback, blocks := slackui.SuggestionOffer(s, loc, b.cfg.Now())
	opts := []slack.MsgOption{slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)}
	if ev.ThreadTimeStamp != "" {
		opts = append(opts, slack.MsgOptionTS(ev.ThreadTimeStamp))
	}
	if _, err := b.api.PostEphemeralContext(ctx, ev.Channel, ev.User, opts...); err != nil {
		log.Warn("offer to track a promise", "err", err)
	}
}

// joined handles member_joined_channel: when Kept itself is added to a
// channel shared with another organisation that is not yet linked, it asks
// the person who added it, in a DM, which customer it is for.
func (b *Bot) joined(ctx context.Context, team string, ev *slackevents.MemberJoinedChannelEvent) {
	if me := b.botUser(ctx); me == "" || ev.User != me || ev.Inviter == "" {
		return
	}
	if _, err := b.listen.ChannelCustomer(team, ev.Channel); err == nil {
		return
	}
	// The question lists every customer: for an inviter of our own only.
	if err := b.mayUse(ctx, team, ev.Inviter); err != nil {
		b.cfg.Log.Warn("Kept was added to a channel by someone not of the workspace; not asking them", "channel", ev.Channel, "inviter", ev.Inviter)
		return
	}
	api, ok := b.api.(channelAPI)
	if !ok {
		return
	}
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: ev.Channel})
	if err != nil {
		b.cfg.Log.Warn("info of the channel Kept joined", "channel", ev.Channel, "err", err)
		return
	}
	if !info.IsExtShared {
		return
	}
	customers, err := b.store.Customers(team)
	if err != nil {
		b.cfg.Log.Error("customers", "err", err)
		return
	}
	// Slack sends the event again when its ack is late or lost, with a
	// new envelope id and the same event_ts: one question per join.
	if err := b.listen.MarkApplied("join:" + team + ":" + ev.Channel + ":" + ev.EventTimestamp); err != nil {
		if !errors.Is(err, store.ErrDuplicate) {
			b.cfg.Log.Error("record the question about a joined channel", "channel", ev.Channel, "err", err)
		}
		return
	}
	fallback, blocks := slackui.ChannelQuestion(ev.Channel, suggestCustomer(info.Name, customers), customers)
	if _, _, err := b.api.PostMessageContext(ctx, ev.Inviter, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		b.cfg.Log.Warn("ask which customer a channel is for", "err", err)
	}
}

// suggestCustomer picks the customer whose name the channel's name
// contains ("acme-shared" suggests Acme; "ext-acme-corp" Acme Corp),
// preferring the longest such name.
func suggestCustomer(channel string, customers []store.Customer) string {
	name := " " + strings.Join(strings.FieldsFunc(strings.ToLower(channel), func(r rune) bool {
		return r == '-' || r == '_' || r == '.' || r == ' '
	}), " ") + " "
	best := ""
	for _, c := range customers {
		words := strings.Fields(strings.ToLower(nameSeparators.Replace(c.Name)))
		if len(words) == 0 {
			continue
		}
		key := " " + strings.Join(words, " ") + " "
		if strings.Contains(name, key) && len(c.Name) > len(best) {
			best = c.Name
		}
	}
	return best
}

// nameSeparators are the characters that split a customer's name into
// words, as '-', '_' and '.' split a channel's; built once, not per
// customer compared.
var nameSeparators = strings.NewReplacer("-", " ", "_", " ", ".", " ", ",", " ")

// channelMention is a channel as Slack writes it in a command with
// should_escape: <#C123|name>, or <#C123>.
var channelMention = regexp.MustCompile(`^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$`)

// linkChannel links channel to customer after checking that Kept is in
// it; the refusal says how to invite Kept otherwise.
func (b *Bot) linkChannel(ctx context.Context, team, user, customer, channel string) (string, error) {
	if _, err := b.channelReady(ctx, channel, false); err != nil {
		return "", err
	}
	l, err := b.listen.LinkChannel(team, channel, customer, user)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", notFoundCustomer(customer)
	case errors.Is(err, store.ErrExists):
		return "", conflict(fmt.Sprintf("%s already belongs to *%s*; a channel belongs to one customer. Unlink it first with `/customer unlink %s`.", slackui.MentionChannel(channel), slackui.Escape(l.Customer), slackui.MentionChannel(channel)))
	case err != nil:
		return "", fmt.Errorf("inbound: link channel: %w", err)
	}
	return fmt.Sprintf("Linked %s to *%s*. What our side writes there now counts as a touch, I'll tell the owner when %s is waiting on us, and I'll offer to track promises written there (only to whoever wrote them). I never post anything in the channel that the customer can see.", slackui.MentionChannel(channel), slackui.Escape(l.Customer), slackui.Escape(l.Customer)), nil
}

// channelReady checks that Kept is in channel and returns its name as
// Slack knows it ("" if unknown). Its refusal names the channel as a
// mention, or, for the customer form (inForm), whose errors are plain
// text, by its name.
func (b *Bot) channelReady(ctx context.Context, channel string, inForm bool) (string, error) {
	api, ok := b.api.(channelAPI)
	if !ok {
		return "", nil
	}
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &se) && se.Err == "channel_not_found", err == nil && !info.IsMember:
		switch {
		case !inForm:
			return "", conflict(fmt.Sprintf("I'm not in %s yet, so I can't hear what is said there. Invite me: type `/invite @Kept` in %s, then link it again.", slackui.MentionChannel(channel), slackui.MentionChannel(channel)))
		case info != nil && info.Name != "":
			return "", conflict(fmt.Sprintf("I'm not in #%s yet, so I can't hear what is said there. Invite me: type /invite @Kept in #%s, then save again.", info.Name, info.Name))
		}
		return "", conflict("I'm not in one of the private channels you picked, so I can't hear what is said there. Invite me: type /invite @Kept in it, then save again.")
	case err != nil:
		b.cfg.Log.Warn("channel info", "channel", channel, "err", err)
		return "", unavailable("I couldn't ask Slack about that channel just now; nothing changed. Please try again in a minute.")
	}
	return info.Name, nil
}

// cutChannel takes a channel mention off the end of s.
func cutChannel(s string) (rest, channel string) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, " "); i >= 0 && channelMention.MatchString(s[i+1:]) {
		return strings.TrimSpace(s[:i]), channelMention.FindStringSubmatch(s[i+1:])[1]
	}
	if channelMention.MatchString(s) {
		return "", channelMention.FindStringSubmatch(s)[1]
	}
	return s, ""
}

// linkVerb is `/customer link NAME #channel`, the current channel when
// none is named.
func (b *Bot) linkVerb(k call) (any, error) {
	cmd := k.cmd
	rest, channel := cutChannel(k.args)
	name, tail := cutName(rest, false)
	if strings.TrimSpace(tail) != "" || name == "" {
		return nil, invalid("Try `/customer link Acme #acme-shared`: a customer, then the channel (this channel if you leave it out).")
	}
	c, err := b.customerFor(cmd.TeamID, "link", name)
	if err != nil {
		return nil, err
	}
	if channel == "" {
		if strings.HasPrefix(cmd.ChannelID, "D") || cmd.ChannelID == "" {
			return nil, invalid("Which channel? Try `/customer link " + slackui.Escape(c.Name) + " #acme-shared`.")
		}
		channel = cmd.ChannelID
	}
	if err := b.mayChangeCustomer(cmd.UserID, c); err != nil {
		return nil, err
	}
	text, err := b.linkChannel(k.ctx, cmd.TeamID, cmd.UserID, c.Name, channel)
	if err != nil {
		return nil, err
	}
	return ephemeral(text, slackui.Section(text)), nil
}

// unlinkVerb is `/customer unlink #channel`.
func (b *Bot) unlinkVerb(k call) (any, error) {
	rest, channel := cutChannel(k.args)
	if rest != "" {
		return nil, invalid("Name just the channel: `/customer unlink #acme-shared`.")
	}
	channel = cmp.Or(channel, k.cmd.ChannelID)
	c, err := b.listen.ChannelCustomer(k.cmd.TeamID, channel)
	switch {
	case err == nil:
		if err := b.mayChangeCustomer(k.cmd.UserID, c); err != nil {
			return nil, err
		}
	case !errors.Is(err, store.ErrNotFound):
		// Whose it is cannot be told: not unlinked unchecked.
		return nil, fmt.Errorf("inbound: unlink: customer of %s: %w", channel, err)
	}
	// What waited on us there can no longer be answered where Kept
	// listens: it would wait on the card and in the digest for good. It
	// is closed first, so that an unlink cut short (a failed write, a
	// killed process) leaves the channel linked, to be unlinked again.
	var closed []store.Wait
	if err == nil {
		if closed, err = b.closeWaits(k.log(), k.cmd.TeamID, channel, c.Name); err != nil {
			return nil, fmt.Errorf("inbound: unlink: %w", err)
		}
	}
	l, err := b.listen.UnlinkChannel(k.cmd.TeamID, channel)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(fmt.Sprintf("%s isn't linked to a customer.", slackui.MentionChannel(channel)))
	}
	if err != nil {
		return nil, fmt.Errorf("inbound: unlink: %w", err)
	}
	// Again, for a message heard in between.
	more, _ := b.closeWaits(k.log(), k.cmd.TeamID, channel, l.Customer)
	b.withdrawLater(k, append(closed, more...))
	text := fmt.Sprintf("Unlinked %s from *%s*: I no longer count what is said there.", slackui.MentionChannel(channel), slackui.Escape(l.Customer))
	return ephemeral(text, slackui.Section(text)), nil
}

// withdrawLater withdraws, after the ack, the DMs of closed waits.
func (b *Bot) withdrawLater(k call, closed []store.Wait) {
	if len(closed) == 0 {
		return
	}
	b.later(k.ctx, func(ctx context.Context) {
		for _, w := range closed {
			b.withdrawWaitingDM(ctx, k.log(), w)
		}
	})
}

// closeWaits closes the customer's open waits in channel, which Kept is
// to stop listening to, and returns them; err says one could not be
// closed.
func (b *Bot) closeWaits(log *slog.Logger, team, channel, customer string) ([]store.Wait, error) {
	waits, err := b.listen.CustomerWaits(team, customer)
	if err != nil {
		log.Error("waits of an unlinked channel", "err", err)
		return nil, err
	}
	var closed []store.Wait
	for _, w := range waits {
		if w.Channel != channel {
			continue
		}
		w, err := b.listen.CloseWait(team, channel, w.Thread, w.TS)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrOtherWait) {
				log.Error("close wait of an unlinked channel", "err", err)
				return closed, err
			}
			continue
		}
		closed = append(closed, w)
	}
	return closed, nil
}

// suggestionsCommand is `/promise suggestions on|off`.
func (b *Bot) suggestionsCommand(k call) (any, error) {
	cmd := k.cmd
	var on bool
	switch strings.ToLower(strings.TrimSpace(k.args)) {
	case "on":
		on = true
	case "off":
	case "":
		off, err := b.listen.SuggestionsOff(cmd.TeamID, cmd.UserID)
		if err != nil {
			return nil, fmt.Errorf("inbound: suggestions: %w", err)
		}
		state := "on"
		if off {
			state = "off"
		}
		text := "Promise suggestions are " + state + " for you. Use `/promise suggestions off` or `/promise suggestions on`."
		return ephemeral(text, slackui.Section(text)), nil
	default:
		return nil, invalid("Use `/promise suggestions off` or `/promise suggestions on`.")
	}
	if err := b.listen.SetSuggestions(cmd.TeamID, cmd.UserID, on); err != nil {
		return nil, fmt.Errorf("inbound: suggestions: %w", err)
	}
	text := "Done: I won't offer to track promises you write in customer channels. `/promise suggestions on` brings the offers back."
	if on {
		text = "Done: when you promise a customer something with a time in a customer channel, I'll offer (to you only) to track it."
	}
	return ephemeral(text, slackui.Section(text)), nil
}

// trackSuggestion records the promise an offer showed, once however often
// the click arrives, and replaces the offer with the confirmation.
func (b *Bot) trackSuggestion(k click) error {
	ctx, cb := k.ctx, k.cb
	s, err := b.clickedSuggestion(k)
	if err != nil {
		return err
	}
	loc := b.zoneOr(ctx, cb.User.ID)
	due := time.Unix(s.Due, 0)
	if !due.After(b.cfg.Now()) {
		text := fmt.Sprintf("That time (%s) has passed, so I didn't track it. Record it with a new time: `/promise %s: … tomorrow 9am`.", slackui.PlainDate(due, b.cfg.Now(), loc), slackui.Escape(s.Customer))
		b.later(ctx, func(ctx context.Context) { b.respond(ctx, cb, text) })
		return nil
	}
	// One promise per message and per clicker: a click forged by someone
	// else on the same message cannot use up the writer's offer.
	op := "track:" + cb.Team.ID + ":" + cb.User.ID + ":" + s.Channel + ":" + s.TS
	p, err := b.store.AddPromise(op, store.Promise{
		Team: cb.Team.ID, Text: s.Task, Customer: s.Customer, Owner: cb.User.ID, Creator: cb.User.ID,
		Channel: s.Channel, Permalink: b.permalink(ctx, s.Channel, s.TS), Due: due.UTC(), Zone: loc.String(),
	})
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		return fmt.Errorf("inbound: track a suggestion: %w", err)
	}
	fallback, _ := slackui.Confirmation(p, cb.User.ID, loc, b.cfg.Now())
	b.later(ctx, func(ctx context.Context) {
		b.respond(ctx, cb, fallback)
		b.refreshHome(ctx, cb.Team.ID, cb.User.ID)
	})
	return nil
}

// clickedSuggestion reads the offer a Track it or Change… button carries,
// for the one it was offered to: whoever wrote the message.
func (b *Bot) clickedSuggestion(k click) (slackui.Suggestion, error) {
	s, err := slackui.DecodeSuggestion(k.a.Value)
	if err != nil || unreadable(s.Task) || unreadable(s.Customer) {
		return s, invalid("That offer is damaged; record the promise with `/promise` instead.")
	}
	if s.For != "" && s.For != k.cb.User.ID {
		return s, forbidden(fmt.Sprintf("That offer was for %s, who wrote the message; nothing was recorded. Record a promise of your own with `/promise`.", slackui.MentionUser(s.For)))
	}
	return s, nil
}

// changeSuggestion opens the promise form filled with what the offer showed.
func (b *Bot) changeSuggestion(k click) error {
	s, err := b.clickedSuggestion(k)
	if err != nil {
		return err
	}
	// The trigger id expires in 3 seconds: the form opens before the ack.
	origin := modalOrigin{Channel: s.Channel, Permalink: b.permalink(k.ctx, s.Channel, s.TS)}
	if err := b.openSuggestedModal(k.ctx, k.cb.TriggerID, k.cb.User.ID, s, origin); err != nil {
		return err
	}
	return nil
}

// dismissSuggestion is No thanks: the offer goes.
func (b *Bot) dismissSuggestion(k click) error {
	cb := k.cb
	if cb.ResponseURL == "" {
		return nil
	}
	b.later(k.ctx, func(ctx context.Context) {
		if err := postResponse(ctx, cb.ResponseURL, &slack.WebhookMessage{DeleteOriginal: true}); err != nil {
			b.cfg.Log.Warn("dismiss an offer", "err", err)
		}
	})
	return nil
}

// linkClicked answers the question Kept asks when added to a shared
// channel: link it to the suggested customer, to one picked, or to none.
func (b *Bot) linkClicked(k click) error {
	ctx, cb, a := k.ctx, k.cb, k.a
	var text string
	if a.ActionID == slackui.ActionLinkNone {
		text = fmt.Sprintf("Fine: %s stays unlinked, and I won't listen there. `/customer link NAME %s` links it later.", slackui.MentionChannel(a.Value), slackui.MentionChannel(a.Value))
	} else {
		v := a.Value
		if a.ActionID == slackui.ActionLinkPick {
			v = a.SelectedOption.Value
		}
		channel, customer, _ := strings.Cut(v, "|")
		var err error
		c, err := b.lookupCustomer(cb.Team.ID, customer)
		if err == nil {
			err = b.mayChangeCustomer(cb.User.ID, c)
		}
		if err == nil {
			text, err = b.linkChannel(ctx, cb.Team.ID, cb.User.ID, c.Name, channel)
		}
		if r, ok := asRefusal(err); ok {
			text = r.text
		} else if err != nil {
			b.cfg.Log.Error("link from the channel question", "err", err)
			text = msgInternal
		}
	}
	b.later(ctx, func(ctx context.Context) { b.updateClicked(ctx, cb, text) })
	return nil
}

// waitHandled is the waiting DM's Handled: nothing waits any more. A DM
// about a message whose wait has closed (our side answered) leaves alone
// the wait of a newer message in the same place, which has its own DM.
func (b *Bot) waitHandled(k click) error {
	cb := k.cb
	channel, thread, ts := slackui.ParseWaitRef(k.a.Value)
	text := fmt.Sprintf("Marked as handled: the message in %s is no longer waiting on us.", slackui.MentionChannel(channel))
	newer := fmt.Sprintf("Someone on our side answered that message in %s already. A newer one there is still waiting on us, and gets its own DM.", slackui.MentionChannel(channel))
	w, err := b.clickedWait(k, channel, thread)
	switch {
	case errors.Is(err, store.ErrNotFound): // closed already: nothing to do
	case err != nil:
		return err
	case ts != "" && w.TS != ts:
		text = newer
	default:
		// The store closes only the wait of the message the DM named:
		// one a newer message opened since the read above stays open.
		_, err := b.listen.CloseWait(cb.Team.ID, channel, thread, w.TS)
		switch {
		case errors.Is(err, store.ErrOtherWait):
			text = newer
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("inbound: close wait: %w", err)
		}
	}
	b.later(k.ctx, func(ctx context.Context) {
		b.updateClicked(ctx, cb, text)
		b.refreshHome(ctx, cb.Team.ID, cb.User.ID)
	})
	return nil
}

// clickedWait is the open wait a waiting DM's button names, for a
// clicker who may act on it: the customer's owner, to whom the DM went,
// or an admin. A click forged by anyone else is refused and changes
// nothing. A wait whose customer was removed is anyone's to close.
func (b *Bot) clickedWait(k click, channel, thread string) (store.Wait, error) {
	w, err := b.listenWait(k.cb.Team.ID, channel, thread)
	if err != nil {
		return w, err
	}
	c, err := b.store.Customer(k.cb.Team.ID, w.Customer)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return w, nil
	case err != nil:
		return w, fmt.Errorf("inbound: customer of a wait: %w", err)
	case k.cb.User.ID != c.Owner && !b.isAdmin(k.cb.User.ID):
		return w, forbidden(fmt.Sprintf("Only %s, who owns *%s*, or an admin can act on what waits on us there.", slackui.MentionUser(c.Owner), slackui.Escape(c.Name)))
	}
	return w, nil
}

// waitPromise is the waiting DM's Promise a follow-up: the promise form,
// filled with the customer and the message, due tomorrow 9:00.
func (b *Bot) waitPromise(k click) error {
	cb := k.cb
	channel, thread, ts := slackui.ParseWaitRef(k.a.Value)
	w, err := b.clickedWait(k, channel, thread)
	if _, refused := asRefusal(err); refused {
		return err
	}
	if err != nil || ts != "" && w.TS != ts {
		text := fmt.Sprintf("Someone on our side has answered in %s since, so nothing is waiting any more.", slackui.MentionChannel(channel))
		b.later(k.ctx, func(ctx context.Context) { b.updateClicked(ctx, cb, text) })
		return nil
	}
	loc := b.zoneOr(k.ctx, cb.User.ID)
	task := "Answer " + w.Customer
	if w.Excerpt != "" {
		task += " about “" + w.Excerpt + "”"
	}
	y, m, d := b.cfg.Now().In(loc).Date()
	s := slackui.Suggestion{Task: task, Customer: w.Customer, Channel: w.Channel, TS: w.TS,
		Due: time.Date(y, m, d+1, 9, 0, 0, 0, loc).Unix()}
	return b.openSuggestedModal(k.ctx, cb.TriggerID, cb.User.ID, s, modalOrigin{Channel: w.Channel, Permalink: w.Link})
}

// openSuggestedModal opens the promise form filled with s.
func (b *Bot) openSuggestedModal(ctx context.Context, triggerID, user string, s slackui.Suggestion, origin modalOrigin) error {
	loc := b.zoneOr(ctx, user)
	view := slackui.PromiseModalFilled(user, s.Customer, s.Task, time.Unix(s.Due, 0).In(loc), b.sealMeta(user, slackui.PromiseCallback, origin))
	if _, err := b.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("inbound: open promise modal: %w", err)
	}
	return nil
}

// updateClicked replaces the message a click came from: the DM Kept sent.
func (b *Bot) updateClicked(ctx context.Context, cb slack.InteractionCallback, text string) {
	if cb.Container.ChannelID == "" || cb.Container.MessageTs == "" || !b.ownDM(ctx, cb.User.ID, cb.Container.ChannelID) {
		b.respond(ctx, cb, text)
		return
	}
	if _, _, _, err := b.api.UpdateMessageContext(ctx, cb.Container.ChannelID, cb.Container.MessageTs,
		slack.MsgOptionText(text, false), slack.MsgOptionBlocks(slackui.Section(text))); err != nil {
		b.cfg.Log.Warn("update the clicked message", "err", err)
	}
}

// channelLines are the customer card's lines on its channels: where it is
// linked, when it was last heard from, what is waiting on us.
func (b *Bot) channelLines(team string, c store.Customer, loc *time.Location) []slack.Block {
	channels, err := b.listen.CustomerChannels(team, c.Name)
	if err != nil {
		b.cfg.Log.Error("customer channels", "err", err)
	}
	heard, _ := b.listen.LastHeard(team, c.Name)
	waits, _ := b.listen.CustomerWaits(team, c.Name)
	lines := slackui.ListenLines(channels, heard, waits, loc, b.cfg.Now())
	if len(lines) == 0 {
		return nil
	}
	return slackui.SplitSections(strings.Join(lines, "\n"))
}

// maxListenSummary bounds the customers /customer list looks up for last
// heard and waiting items: the list itself shows 100.
const maxListenSummary = 100

// listenSummary adds to /customer list when each customer was last heard
// from in its channels and how many of its messages wait on us.
func (b *Bot) listenSummary(team string, cs []store.Customer, loc *time.Location) []slack.Block {
	now := b.cfg.Now()
	var lines []string
	for i, c := range cs {
		if i == maxListenSummary {
			break
		}
		heard, _ := b.listen.LastHeard(team, c.Name)
		waits, _ := b.listen.CustomerWaits(team, c.Name)
		if heard.At.IsZero() && len(waits) == 0 {
			continue
		}
		line := "• *" + slackui.Escape(c.Name) + "*"
		if !heard.At.IsZero() {
			line += " · last heard from " + slackui.HeardText(heard.At, now, loc)
		}
		if len(waits) > 0 {
			line += fmt.Sprintf(" · %s %s waiting on us", slackui.WaitingMark, slackui.Plural(len(waits), "message"))
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return nil
	}
	return slackui.SplitSections("*In customer channels*\n" + strings.Join(lines, "\n"))
}

// waitingHome is the Home tab's part on the user's customers' channels:
// when each last wrote there and how many of its messages wait on us (as
// /customer list says it), then those messages.
func (b *Bot) waitingHome(team, user string, loc *time.Location) []slack.Block {
	cs, err := b.store.Customers(team)
	if err != nil {
		return nil
	}
	var mine []store.Customer
	var lines []string
	for _, c := range cs {
		if c.Owner != user {
			continue
		}
		mine = append(mine, c)
		waits, _ := b.listen.CustomerWaits(team, c.Name)
		for _, w := range waits {
			line := fmt.Sprintf("• *%s*: %s in %s, %s", slackui.Escape(c.Name), slackui.MentionUser(w.By), slackui.MentionChannel(w.Channel), slackui.PlainDate(w.At, b.cfg.Now(), loc))
			if w.Link != "" {
				line += " · <" + w.Link + "|open>"
			}
			lines = append(lines, line)
		}
	}
	heard := b.listenSummary(team, mine, loc)
	if len(heard) == 0 && len(lines) == 0 {
		return nil
	}
	blocks := append([]slack.Block{slack.NewDividerBlock()}, heard...)
	if len(lines) > 0 {
		blocks = append(blocks, slackui.SplitSections("*"+slackui.WaitingMark+" Waiting on us*\n"+strings.Join(lines, "\n"))...)
	}
	return blocks
}
