package inbound

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// The channel digest's commands: `/customer digest` and its verbs. The
// digest is gathered by package digest, rendered by slackui and posted on
// schedule by notify.

// digestAPI is what subscribing needs of Slack beyond posting;
// *slack.Client has it. It is asked for by type assertion so that fakes of
// Slack need not.
type digestAPI interface {
	GetConversationInfoContext(ctx context.Context, input *slack.GetConversationInfoInput) (*slack.Channel, error)
	GetUsersInConversationContext(ctx context.Context, params *slack.GetUsersInConversationParameters) ([]string, string, error)
}

// The digest lists every late promise, with its text, and who is behind
// with which customer: it is for leads. Only the people in KEPT_LEADS and
// the admins see it, post it or choose where it goes, and it goes only to
// channels whose every member is of the team: none shared with another
// organisation, none with a guest in it.

// mayDigest refuses the digest to anyone who is neither a lead nor an
// admin.
func (b *Bot) mayDigest(ctx context.Context, user string) error {
	if b.mayLead(ctx, user) {
		return nil
	}
	return forbidden("The digest is for leads: it lists every late promise and who is behind with which customer. Only the leads (KEPT_LEADS) and admins (KEPT_ADMINS) can see, post or subscribe it; ask whoever runs Kept to add you.")
}

const (
	// guestCheckLimit bounds the members looked up for guests before a
	// digest goes to a channel; a bigger channel is refused, not guessed.
	guestCheckLimit = 200
	// guestCheckTime bounds those lookups, within the 3 s Slack waits.
	guestCheckTime = 2 * time.Second
)

// teamOnly refuses a channel that people outside the team can read: one
// shared with another organisation, or with a guest or someone from
// another workspace among its members. info is the channel as Slack
// described it.
func (b *Bot) teamOnly(ctx context.Context, api digestAPI, team string, info *slack.Channel) error {
	if info.IsExtShared {
		return forbidden("This channel is shared with another organisation, and the digest (late promises included) stays within the team. Use a channel only the team is in.")
	}
	members, _, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: info.ID, Limit: guestCheckLimit + 1})
	if err != nil {
		return fmt.Errorf("inbound: members of %s: %w", info.ID, err)
	}
	if len(members) > guestCheckLimit {
		return forbidden(fmt.Sprintf("This channel has over %d members, too many for me to make sure none is a guest; the digest (late promises included) stays within the team. Use a smaller channel of leads.", guestCheckLimit))
	}
	ctx, cancel := context.WithTimeout(ctx, guestCheckTime)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		outsider string
		failed   error
	)
	slots := make(chan struct{}, 8)
	for _, m := range members {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			out, err := b.zones.Outsider(ctx, m, team)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				failed = err
			case out:
				outsider = m
			}
		})
	}
	wg.Wait()
	switch {
	case outsider != "":
		return forbidden(fmt.Sprintf("%s is a guest or from another workspace, and the digest (late promises included) stays within the team. Use a channel only the team is in.", slackui.MentionUser(outsider)))
	case failed != nil:
		return unavailable("I couldn't check this channel's members for guests just now; nothing was posted. Please try again in a minute.")
	}
	return nil
}

// channelFor checks the channel a digest command was typed in: whether
// Kept is in it (member), and that it is the team's only; what else is
// wrong is a refusal that says how to fix it.
func (b *Bot) channelFor(ctx context.Context, cmd slack.SlashCommand, verb string) (member bool, err error) {
	if !strings.HasPrefix(cmd.ChannelID, "C") && !strings.HasPrefix(cmd.ChannelID, "G") {
		return false, invalid("Run `/customer digest " + verb + "` in the channel that should get the digest, not in a direct message.")
	}
	api, ok := b.api.(digestAPI)
	if !ok {
		return false, errors.New("inbound: digest: this Slack client cannot read channels")
	}
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: cmd.ChannelID})
	if code := slackErrorCode(err); code == "channel_not_found" || (err == nil && !info.IsMember) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("inbound: digest: %w", err)
	}
	return true, b.teamOnly(ctx, api, cmd.TeamID, info)
}

// unsubscribe is `/customer digest unsubscribe`.
func (b *Bot) unsubscribe(c call) (any, error) {
	if c.args != "" {
		return nil, invalid(digestUsage())
	}
	if err := b.mayDigest(c.ctx, c.cmd.UserID); err != nil {
		return nil, err
	}
	err := b.store.Unsubscribe(c.cmd.TeamID, c.cmd.ChannelID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, conflict("This channel isn't subscribed to the digest, so there is nothing to stop.")
	}
	if err != nil {
		return nil, err
	}
	return ephemeral("Done: this channel won't get the scheduled digest any more. `/customer digest subscribe` brings it back."), nil
}

// digestHelp is the help of `/customer digest`, from the route table.
func digestHelp() string {
	c, _ := commandNamed("/customer")
	v, _ := lookup(c.verbs, "digest")
	return subHelp("The digest commands are:", v)
}

func digestUsage() string { return "I didn't get that. " + digestHelp() }

func digestHelpVerb(_ *Bot, c call) (any, error) {
	if c.args != "" {
		return nil, invalid(digestUsage())
	}
	text := digestHelp()
	return ephemeral(text, slackui.Section(text)), nil
}

// digestReply is the digest as an ephemeral ack, with lead if any and a
// warning for each digest channel Slack is refusing.
func (b *Bot) digestReply(c call) (any, error) {
	if c.args != "" {
		return nil, invalid(digestUsage())
	}
	if err := b.mayDigest(c.ctx, c.cmd.UserID); err != nil {
		return nil, err
	}
	return b.digestFor(c.ctx, c.cmd, "")
}

func (b *Bot) digestFor(ctx context.Context, cmd slack.SlashCommand, lead string) (any, error) {
	d, err := digest.Build(b.store, cmd.TeamID, nil, b.cfg.Now(), b.cfg.Zone)
	if err != nil {
		return nil, err
	}
	d.TeamView = slackui.TeamViewLink(cmd.TeamID, cmd.APIAppID)
	fallback, blocks := slackui.DigestBlocks(d, b.zoneOr(ctx, cmd.UserID))
	var notes []string
	if lead != "" {
		notes = append(notes, lead)
	}
	notes = append(notes, b.digestWarnings(cmd.TeamID)...)
	if len(notes) > 0 {
		blocks = append([]slack.Block{slackui.Section(strings.Join(notes, "\n"))}, blocks...)
	}
	return ephemeral(fallback, blocks...), nil
}

// notHere is the note on the private digest of a `here` Kept cannot post.
const notHere = "I'm not in this channel, so I can't post here: invite me with `/invite @Kept` and try again. Meanwhile, here it is just for you."

// digestHere posts the digest in the caller's channel.
func (b *Bot) digestHere(c call) (any, error) {
	if c.args != "" {
		return nil, invalid(digestUsage())
	}
	ctx, cmd, log := c.ctx, c.cmd, c.log()
	if err := b.mayDigest(ctx, cmd.UserID); err != nil {
		return nil, err
	}
	member, err := b.channelFor(ctx, cmd, "here")
	if err != nil {
		return nil, err
	}
	if !member {
		log.Info("digest here: not in the channel", "channel", cmd.ChannelID)
		return b.digestFor(ctx, cmd, notHere)
	}
	d, err := digest.Build(b.store, cmd.TeamID, nil, b.cfg.Now(), b.cfg.Zone)
	if err != nil {
		return nil, err
	}
	d.TeamView = slackui.TeamViewLink(cmd.TeamID, cmd.APIAppID)
	fallback, blocks := slackui.DigestBlocks(d, b.cfg.Zone)
	_, _, err = b.api.PostMessageContext(ctx, cmd.ChannelID, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...))
	switch code := slackErrorCode(err); {
	case err == nil:
		return nil, nil // the digest in the channel is the answer
	case code == "not_in_channel" || code == "channel_not_found":
		log.Info("digest here: not in the channel", "channel", cmd.ChannelID, "err", code)
		return b.digestFor(ctx, cmd, notHere)
	}
	return nil, fmt.Errorf("inbound: digest here: %w", err)
}

// subscribe makes the caller's channel get the scheduled digest. Kept must
// be in the channel to post there, so it checks now rather than fail on
// the day.
func (b *Bot) subscribe(c call) (any, error) {
	ctx, cmd := c.ctx, c.cmd
	scope := store.ScopeMembers
	switch strings.ToLower(c.args) {
	case "":
	case "all":
		scope = store.ScopeAll
	default:
		return nil, invalid(digestUsage())
	}
	if err := b.mayDigest(ctx, cmd.UserID); err != nil {
		return nil, err
	}
	member, err := b.channelFor(ctx, cmd, "subscribe")
	if err != nil {
		return nil, err
	}
	if !member {
		return nil, invalid("I'm not in this channel yet, so I couldn't post the digest here. Invite me with `/invite @Kept`, then run `/customer digest subscribe` again.")
	}
	if err := b.store.Subscribe(cmd.TeamID, cmd.ChannelID, scope); err != nil {
		return nil, err
	}
	whose := "the customers and promises of this channel's members"
	if scope == store.ScopeAll {
		whose = "the whole workspace"
	}
	when := ""
	if b.cfg.DigestNext != nil {
		if next := b.cfg.DigestNext(b.cfg.Now()); !next.IsZero() {
			when = ", next on " + slackui.Date(next, b.cfg.Now(), b.zoneOr(ctx, cmd.UserID))
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
	if subs, err := b.store.Subscriptions(team); err == nil {
		for _, s := range subs {
			targets = append(targets, s.Channel)
		}
	}
	for _, ch := range targets {
		if b.cfg.DigestTrouble == nil {
			break
		}
		if code, ok := b.cfg.DigestTrouble(ch); ok {
			out = append(out, fmt.Sprintf("⚠️ I couldn't post the scheduled digest in %s (%s): invite me with `/invite @Kept` there. It waits and goes out as soon as I can.", slackui.MentionChannel(ch), code))
		}
	}
	return out
}

// slackErrorCode is the "error" of an ok:false answer inside err, if any.
func slackErrorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}
