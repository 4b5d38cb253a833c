package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/scheduler"
	"github.com/keptbot/kept/store"
)

// The channel digest answers a lead's three questions once a week: which
// customers has nobody talked to, which promises are late, and is the team
// keeping its word. Building it (BuildDigest, from the store) and showing
// it (DigestBlocks, pure) are separate so that golden files pin down what
// people read and the benchmark measures what the store costs.

// DigestSource is what the digest reads and writes of the store;
// *store.Store has it.
type DigestSource interface {
	Customers(team string) ([]store.Customer, error)
	TouchesBetween(team string, from, to time.Time) ([]store.Touch, error)
	DuePromises(team string, from, to, lateAt time.Time) ([]store.Promise, error)
	Subscribe(team, channel, scope string) error
	Unsubscribe(team, channel string) error
	Subscriptions(team string) ([]store.Subscription, error)
}

// digestAPI is what the digest needs of Slack beyond posting; *slack.Client
// has it. It is asked for by type assertion so that fakes of Slack need not.
type digestAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	GetUsersInConversationContext(ctx context.Context, params *slack.GetUsersInConversationParameters) ([]string, string, error)
	GetConversationInfoContext(ctx context.Context, input *slack.GetConversationInfoInput) (*slack.Channel, error)
}

const (
	// silentAfter is how long without a touch puts a customer in "Nothing
	// in 30 days".
	silentAfter = 30 * 24 * time.Hour
	// digestWeek is the digest's week: the seven days up to it, which on
	// the default Monday 9:00 schedule is the week just ended.
	digestWeek = 7 * 24 * time.Hour
	// digestRows is how many rows a list shows before "and N more": a
	// digest is read in a minute, the Home tab has the rest.
	digestRows = 10
	// digestRetry is how soon a digest Slack refused (Kept not in the
	// channel) is tried again; it waits in the outbox meanwhile.
	digestRetry = 15 * time.Minute
	// Longest customer name and promise text a row shows, in characters.
	digestNameMax = 60
	digestTextMax = 80
)

// Digest is what the channel digest reports, ready to render.
type Digest struct {
	Now time.Time
	// Members is true when the digest covers only the customers and
	// promises of a channel's members, not the whole workspace.
	Members bool
	Quiet   []CustomerRow // past their cadence, most urgent first
	Silent  []CustomerRow // no touch in 30 days and not in Quiet
	Late    []LateRow     // open past their due time, longest overdue first
	Week    WeekStats     // the seven days up to Now
	Before  WeekStats     // the seven days before those
}

// CustomerRow is a customer in need of attention.
type CustomerRow struct {
	Name, Owner string
	Key         bool
	Touched     bool          // ever touched; if not, Since counts from when it was added
	Since       time.Duration // since the last touch
	Cadence     time.Duration // 0 when it has none
}

// LateRow is a promise still open after its due time.
type LateRow struct {
	ID                    int64
	Owner, Customer, Text string
	Due                   time.Time
}

// WeekStats is how a week went: the promises due in it and what became of
// them, and the touches logged.
type WeekStats struct {
	Due, OnTime, KeptLate, Open, Touches int
}

// Empty reports whether the digest has nothing to say.
func (d Digest) Empty() bool {
	return len(d.Quiet) == 0 && len(d.Silent) == 0 && len(d.Late) == 0 && d.Week == (WeekStats{}) && d.Before == (WeekStats{})
}

// BuildDigest gathers team's digest at now. owners, when not nil, limits
// it to the customers, promises and touches of those users (a subscribed
// channel's members).
func BuildDigest(st DigestSource, team string, owners map[string]bool, now time.Time) (Digest, error) {
	d := Digest{Now: now, Members: owners != nil}
	mine := func(user string) bool { return owners == nil || owners[user] }

	customers, err := st.Customers(team)
	if err != nil {
		return Digest{}, fmt.Errorf("bot: digest: %w", err)
	}
	for _, c := range customers {
		if !mine(c.Owner) {
			continue
		}
		row := CustomerRow{Name: c.Name, Owner: c.Owner, Key: c.Tier == store.KeyTier, Cadence: c.Cadence, Touched: !c.LastTouch.IsZero()}
		last := c.LastTouch
		if !row.Touched {
			last = c.Created
		}
		row.Since = now.Sub(last)
		switch {
		case c.Cadence > 0 && row.Since > c.Cadence:
			d.Quiet = append(d.Quiet, row)
		case row.Since >= silentAfter:
			d.Silent = append(d.Silent, row)
		}
	}
	// Key customers first; then the furthest past their cadence, or the
	// longest silent.
	slices.SortFunc(d.Quiet, func(a, b CustomerRow) int {
		return cmp.Or(keyFirst(a, b), cmp.Compare(b.Since-b.Cadence, a.Since-a.Cadence), strings.Compare(a.Name, b.Name))
	})
	slices.SortFunc(d.Silent, func(a, b CustomerRow) int {
		return cmp.Or(keyFirst(a, b), cmp.Compare(b.Since, a.Since), strings.Compare(a.Name, b.Name))
	})

	weekStart, beforeStart := now.Add(-digestWeek), now.Add(-2*digestWeek)
	promises, err := st.DuePromises(team, beforeStart, now, now)
	if err != nil {
		return Digest{}, fmt.Errorf("bot: digest: %w", err)
	}
	// DuePromises sorts by due time, so Late comes longest overdue first.
	for _, p := range promises {
		if !mine(p.Owner) {
			continue
		}
		if p.State == store.Open && p.Due.Before(now) {
			d.Late = append(d.Late, LateRow{ID: p.ID, Owner: p.Owner, Customer: p.Customer, Text: p.Text, Due: p.Due})
		}
		if p.Due.Before(beforeStart) || !p.Due.Before(now) {
			continue
		}
		w := &d.Week
		if p.Due.Before(weekStart) {
			w = &d.Before
		}
		w.Due++
		switch {
		case p.State == store.Open:
			w.Open++
		case p.OnTime:
			w.OnTime++
		default:
			w.KeptLate++
		}
	}
	touches, err := st.TouchesBetween(team, beforeStart, now)
	if err != nil {
		return Digest{}, fmt.Errorf("bot: digest: %w", err)
	}
	for _, t := range touches {
		if !mine(t.By) {
			continue
		}
		if t.At.Before(weekStart) {
			d.Before.Touches++
		} else {
			d.Week.Touches++
		}
	}
	return d, nil
}

func keyFirst(a, b CustomerRow) int {
	switch {
	case a.Key == b.Key:
		return 0
	case a.Key:
		return -1
	}
	return 1
}

// DigestBlocks renders d: a fallback for notifications and the Block Kit.
// Each list stops at digestRows rows or Slack's 3,000 characters a text,
// whichever comes first, and says how many more the App Home has; the
// whole stays under 20 KB, so it also fits a slash command's ack.
func DigestBlocks(d Digest, loc *time.Location) (string, []slack.Block) {
	scope := "the whole workspace"
	if d.Members {
		scope = "this channel's members"
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("Kept digest")),
		contextBlock(fmt.Sprintf("For %s · %s", scope, slackDate(d.Now, loc))),
	}
	if d.Empty() {
		text := "🌤️ Nothing to report: nobody is going quiet, no promise is late, and nothing was due or logged in the last two weeks."
		return "Kept digest: nothing to report.", append(blocks, section(text))
	}

	quiet := func(i int) string {
		r := d.Quiet[i]
		cadence := "every " + plural(days(r.Cadence), "day")
		if !r.Touched {
			return fmt.Sprintf("• %s · %s · *never touched*, added %s ago, %s", customerName(r), mentionUser(r.Owner), plural(days(r.Since), "day"), cadence)
		}
		return fmt.Sprintf("• %s · %s · *%s* since the last touch, %s", customerName(r), mentionUser(r.Owner), plural(days(r.Since), "day"), cadence)
	}
	silent := func(i int) string {
		r := d.Silent[i]
		if !r.Touched {
			return fmt.Sprintf("• %s · %s · never touched, added %s ago", customerName(r), mentionUser(r.Owner), plural(days(r.Since), "day"))
		}
		return fmt.Sprintf("• %s · %s · last touch %s ago", customerName(r), mentionUser(r.Owner), plural(days(r.Since), "day"))
	}
	late := func(i int) string {
		r := d.Late[i]
		line := "• " + mentionUser(r.Owner) + " · "
		if r.Customer != "" {
			line += "*" + escape(clip(r.Customer, digestNameMax)) + "* · "
		}
		return line + fmt.Sprintf("“%s” · *%s late* (#%d)", escape(clip(r.Text, digestTextMax)), lateness(d.Now.Sub(r.Due)), r.ID)
	}

	if len(d.Quiet)+len(d.Silent)+len(d.Late) == 0 {
		blocks = append(blocks, section("✅ Nobody is going quiet and no promise is late."))
	}
	for _, s := range []struct {
		title string
		n     int
		line  func(int) string
	}{
		{"🔕 *Going quiet* — past their keep-in-touch cadence", len(d.Quiet), quiet},
		{"🕳️ *Nothing in 30 days*", len(d.Silent), silent},
		{"⏰ *Late promises*", len(d.Late), late},
	} {
		if s.n > 0 {
			blocks = append(blocks, slack.NewDividerBlock(), section(listText(s.title, s.n, s.line)))
		}
	}
	blocks = append(blocks, slack.NewDividerBlock(), section(weekText(d.Week, d.Before)))

	var parts []string
	if n := len(d.Quiet); n > 0 {
		parts = append(parts, plural(n, "customer")+" going quiet")
	}
	if n := len(d.Silent); n > 0 {
		parts = append(parts, plural(n, "customer")+" with nothing in 30 days")
	}
	if n := len(d.Late); n > 0 {
		parts = append(parts, plural(n, "late promise"))
	}
	if len(parts) == 0 {
		parts = append(parts, "nobody going quiet, nothing late")
	}
	return "Kept digest: " + strings.Join(parts, ", ") + "; " + keptSummary(d.Week) + ".", blocks
}

// listText is a titled list of n rows, cut at digestRows rows or when the
// next row would break Slack's 3,000 characters or the digest's share of
// the 20 KB ack, with how many were left out. Rows are rendered only when
// shown: a neglected workspace has thousands.
func listText(title string, n int, line func(int) string) string {
	const (
		maxChars = 2800 // Slack's 3,000, less the "and N more" line
		maxWire  = 4000 // bytes of JSON, see wireLen
	)
	var b strings.Builder
	b.WriteString(title)
	chars, wire := utf8.RuneCountInString(title), wireLen(title)
	shown := 0
	for i := range min(n, digestRows) {
		l := line(i)
		if chars+1+utf8.RuneCountInString(l) > maxChars || wire+1+wireLen(l) > maxWire {
			break
		}
		b.WriteString("\n" + l)
		chars += 1 + utf8.RuneCountInString(l)
		wire += 1 + wireLen(l)
		shown++
	}
	if more := n - shown; more > 0 {
		fmt.Fprintf(&b, "\n_…and %d more — see App Home._", more)
	}
	return b.String()
}

// wireLen is about how many bytes s takes in the JSON slack-go sends:
// its encoder writes <, > and & as six-byte \u escapes.
func wireLen(s string) int {
	return len(s) + 5*strings.Count(s, "<") + 5*strings.Count(s, ">") + 5*strings.Count(s, "&") + strings.Count(s, `"`) + strings.Count(s, "\n")
}

// weekText is "Our week": what became of the promises due in it, and the
// touches logged, each against the week before.
func weekText(w, before WeekStats) string {
	var b strings.Builder
	b.WriteString("📈 *Our week* — the last 7 days\n")
	if w.Due == 0 {
		b.WriteString("• No promise was due.")
	} else {
		fmt.Fprintf(&b, "• *%d of %d* promises due were kept on time", w.OnTime, w.Due)
		if w.KeptLate > 0 {
			fmt.Fprintf(&b, ", %d kept late", w.KeptLate)
		}
		if w.Open > 0 {
			fmt.Fprintf(&b, ", %d still open", w.Open)
		}
		b.WriteString(".")
	}
	if before.Due > 0 {
		fmt.Fprintf(&b, " The week before: %d of %d on time.", before.OnTime, before.Due)
	}
	fmt.Fprintf(&b, "\n• %s logged", touchCount(w.Touches))
	switch diff := w.Touches - before.Touches; {
	case diff > 0:
		fmt.Fprintf(&b, ", %d more than the week before (%d).", diff, before.Touches)
	case diff < 0:
		fmt.Fprintf(&b, ", %d fewer than the week before (%d).", -diff, before.Touches)
	default:
		b.WriteString(", as many as the week before.")
	}
	return b.String()
}

func keptSummary(w WeekStats) string {
	if w.Due == 0 {
		return "no promise was due this week"
	}
	return fmt.Sprintf("%d of %d kept on time this week", w.OnTime, w.Due)
}

func customerName(r CustomerRow) string {
	s := "*" + escape(clip(r.Name, digestNameMax)) + "*"
	if r.Key {
		s += " (key)"
	}
	return s
}

// mentionUser mentions a stored user id; anything else is shown as text,
// so a malformed record cannot ping anyone.
func mentionUser(id string) string {
	if validUserID(id) {
		return "<@" + id + ">"
	}
	return escape(id)
}

func validUserID(id string) bool {
	if len(id) < 3 || (id[0] != 'U' && id[0] != 'W') {
		return false
	}
	for _, r := range id[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// clip shortens s to max characters, marking the cut.
func clip(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit-1]) + "…"
}

func touchCount(n int) string {
	if n == 1 {
		return "1 touch"
	}
	return fmt.Sprintf("%d touches", n)
}

// digestCommand is `/customer digest …`: on its own, the digest for the
// caller only; "here" posts it in the channel; "subscribe [all]" and
// "unsubscribe" choose whether this channel gets the scheduled one.
func (b *Bot) digestCommand(ctx context.Context, op string, cmd slack.SlashCommand, args string) (any, error) {
	verb, rest, _ := strings.Cut(strings.ToLower(strings.TrimSpace(args)), " ")
	rest = strings.TrimSpace(rest)
	log := b.cfg.Log.With("command", "/customer digest", "user", cmd.UserID, "team", cmd.TeamID)
	switch {
	case verb == "" && rest == "":
		return b.digestReply(ctx, cmd, "")
	case verb == "here" && rest == "":
		return b.digestHere(ctx, cmd, log)
	case verb == "subscribe" && (rest == "" || rest == "all"):
		scope := store.ScopeMembers
		if rest == "all" {
			scope = store.ScopeAll
		}
		return b.subscribe(ctx, cmd, scope)
	case verb == "help" && rest == "":
		return ephemeral(digestHelp, section(digestHelp)), nil
	case verb == "unsubscribe" && rest == "":
		err := b.digest().Unsubscribe(cmd.TeamID, cmd.ChannelID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errReply("This channel isn't subscribed to the digest, so there is nothing to stop.")
		}
		if err != nil {
			return nil, err
		}
		return ephemeral("Done: this channel won't get the scheduled digest any more. `/customer digest subscribe` brings it back."), nil
	}
	return nil, errReply(digestUsage)
}

const digestUsage = "I didn't get that. " + digestHelp

const digestHelp = "The digest commands are:\n" +
	"• `/customer digest` shows it to you alone\n" +
	"• `/customer digest here` posts it in this channel\n" +
	"• `/customer digest subscribe` sends it here on schedule, for this channel's members' customers (`subscribe all` for everyone's)\n" +
	"• `/customer digest unsubscribe` stops that"

func (b *Bot) digest() DigestSource { return b.store }

// digestReply is the digest as an ephemeral ack, with lead if any and a
// warning for each digest channel Slack is refusing.
func (b *Bot) digestReply(ctx context.Context, cmd slack.SlashCommand, lead string) (any, error) {
	d, err := BuildDigest(b.digest(), cmd.TeamID, nil, b.cfg.Now())
	if err != nil {
		return nil, err
	}
	fallback, blocks := DigestBlocks(d, b.zoneOr(ctx, cmd.UserID))
	var notes []string
	if lead != "" {
		notes = append(notes, lead)
	}
	notes = append(notes, b.digestWarnings(cmd.TeamID)...)
	if len(notes) > 0 {
		blocks = append([]slack.Block{section(strings.Join(notes, "\n"))}, blocks...)
	}
	return ephemeral(fallback, blocks...), nil
}

// digestHere posts the digest in the caller's channel.
func (b *Bot) digestHere(ctx context.Context, cmd slack.SlashCommand, log *slog.Logger) (any, error) {
	d, err := BuildDigest(b.digest(), cmd.TeamID, nil, b.cfg.Now())
	if err != nil {
		return nil, err
	}
	fallback, blocks := DigestBlocks(d, b.cfg.Zone)
	_, _, err = b.api.PostMessageContext(ctx, cmd.ChannelID, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...))
	switch code := slackErrorCode(err); {
	case err == nil:
		return nil, nil // the digest in the channel is the answer
	case code == "not_in_channel" || code == "channel_not_found":
		log.Info("digest here: not in the channel", "channel", cmd.ChannelID, "err", code)
		return b.digestReply(ctx, cmd, "I'm not in this channel, so I can't post here: invite me with `/invite @Kept` and try again. Meanwhile, here it is just for you.")
	}
	return nil, fmt.Errorf("bot: digest here: %w", err)
}

// subscribe makes the caller's channel get the scheduled digest. Kept must
// be in the channel to post there, so it checks now rather than fail on
// the day.
func (b *Bot) subscribe(ctx context.Context, cmd slack.SlashCommand, scope string) (any, error) {
	if !strings.HasPrefix(cmd.ChannelID, "C") && !strings.HasPrefix(cmd.ChannelID, "G") {
		return nil, errReply("Run `/customer digest subscribe` in the channel that should get the digest, not in a direct message.")
	}
	api, ok := b.api.(digestAPI)
	if !ok {
		return nil, errors.New("bot: subscribe: this Slack client cannot read channels")
	}
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: cmd.ChannelID})
	if code := slackErrorCode(err); code == "channel_not_found" || (err == nil && !info.IsMember) {
		return nil, errReply("I'm not in this channel yet, so I couldn't post the digest here. Invite me with `/invite @Kept`, then run `/customer digest subscribe` again.")
	}
	if err != nil {
		return nil, fmt.Errorf("bot: subscribe: %w", err)
	}
	if err := b.digest().Subscribe(cmd.TeamID, cmd.ChannelID, scope); err != nil {
		return nil, err
	}
	whose := "the customers and promises of this channel's members"
	if scope == store.ScopeAll {
		whose = "the whole workspace"
	}
	when := ""
	if b.cfg.DigestNext != nil {
		if next := b.cfg.DigestNext(b.cfg.Now()); !next.IsZero() {
			when = ", next on " + slackDate(next, b.zoneOr(ctx, cmd.UserID))
		}
	}
	return ephemeral(fmt.Sprintf("Done: this channel will get the digest for %s%s. `/customer digest unsubscribe` stops it.", whose, when)), nil
}

// digestWarnings says which of team's digest channels Slack last refused.
func (b *Bot) digestWarnings(team string) []string {
	var out []string
	targets := []string{}
	if b.cfg.DigestChannel != "" {
		targets = append(targets, b.cfg.DigestChannel)
	}
	if subs, err := b.digest().Subscriptions(team); err == nil {
		for _, s := range subs {
			targets = append(targets, s.Channel)
		}
	}
	for _, ch := range targets {
		if code, ok := b.digestTrouble.Load(ch); ok {
			out = append(out, fmt.Sprintf("⚠️ I couldn't post the scheduled digest in %s (%s): invite me with `/invite @Kept` there. It waits and goes out as soon as I can.", channelRef(ch), code))
		}
	}
	return out
}

// channelRef links a channel id, or shows a #name as text.
func channelRef(ch string) string {
	if strings.HasPrefix(ch, "C") || strings.HasPrefix(ch, "G") {
		return "<#" + ch + ">"
	}
	return escape(ch)
}

// deliverDigest posts a queued digest, built fresh at send time. A channel
// Kept is not in keeps its digest in the outbox, tried again every
// digestRetry, so inviting Kept is enough for it to arrive.
func (b *Bot) deliverDigest(ctx context.Context, n store.Nudge) (channel, ts string, err error) {
	log := b.cfg.Log.With("nudge", n.ID, "channel", n.To)
	team := n.Team
	if team == "" {
		if team, err = b.ownTeam(ctx); err != nil {
			return "", "", err
		}
	}
	var owners map[string]bool
	if n.Subject == store.ScopeMembers {
		owners, err = b.members(ctx, n.To)
		if err != nil {
			return "", "", b.digestRefused(log, n, err)
		}
	}
	d, err := BuildDigest(b.digest(), team, owners, b.cfg.Now())
	if err != nil {
		return "", "", err
	}
	fallback, blocks := DigestBlocks(d, b.cfg.Zone)
	channel, ts, err = b.postNudge(ctx, n, fallback, blocks)
	if err != nil {
		return "", "", b.digestRefused(log, n, err)
	}
	if _, had := b.digestTrouble.LoadAndDelete(n.To); had {
		log.Info("digest channel reachable again")
	}
	return channel, ts, nil
}

// digestRefused turns Kept's absence from a channel into a wait, and says
// so; anything else is an ordinary delivery error.
func (b *Bot) digestRefused(log *slog.Logger, n store.Nudge, err error) error {
	code := slackErrorCode(err)
	if code != "not_in_channel" && code != "channel_not_found" {
		return deliveryError(err)
	}
	b.digestTrouble.Store(n.To, code)
	log.Warn("cannot post the digest: invite Kept to the channel; it stays queued and is retried", "err", code, "retry_in", digestRetry)
	// Not a failure to count against MaxAttempts, nor a rate limit that
	// would hold back other messages to the channel: the digest waits.
	return &scheduler.LaterError{Until: b.cfg.Now().Add(digestRetry), Reason: "Kept is not in " + n.To + " (" + code + ")"}
}

// ownTeam is the workspace of Kept's token, for the configured digest
// channel, whose nudge carries no team.
func (b *Bot) ownTeam(ctx context.Context) (string, error) {
	id, err := b.identity(ctx)
	return id.TeamID, err
}

// identity is what auth.test says of Kept's own token: its workspace and
// its bot id. It is asked once and remembered.
func (b *Bot) identity(ctx context.Context) (*slack.AuthTestResponse, error) {
	if id, ok := b.self.Load().(*slack.AuthTestResponse); ok {
		return id, nil
	}
	api, ok := b.api.(digestAPI)
	if !ok {
		return &slack.AuthTestResponse{}, errors.New("bot: this Slack client cannot tell its workspace")
	}
	res, err := api.AuthTestContext(ctx)
	if err != nil {
		return &slack.AuthTestResponse{}, deliveryError(err)
	}
	if res.TeamID == "" || res.BotID == "" {
		return &slack.AuthTestResponse{}, errors.New("bot: auth.test did not say which workspace and bot the token is for")
	}
	b.self.Store(res)
	return res, nil
}

// members is the set of channel's members, for a members-only digest.
func (b *Bot) members(ctx context.Context, channel string) (map[string]bool, error) {
	api, ok := b.api.(digestAPI)
	if !ok {
		return nil, errors.New("bot: this Slack client cannot list channel members")
	}
	out := map[string]bool{}
	params := slack.GetUsersInConversationParameters{ChannelID: channel, Limit: 1000}
	for {
		ids, cursor, err := api.GetUsersInConversationContext(ctx, &params)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out[id] = true
		}
		if cursor == "" {
			return out, nil
		}
		params.Cursor = cursor
	}
}
