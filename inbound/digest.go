package inbound

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
}

// unsubscribe is `/customer digest unsubscribe`.
func (b *Bot) unsubscribe(c call) (any, error) {
	if c.args != "" {
		return nil, invalid(digestUsage())
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
	return b.digestFor(c.ctx, c.cmd, "")
}

func (b *Bot) digestFor(ctx context.Context, cmd slack.SlashCommand, lead string) (any, error) {
	d, err := digest.Build(b.store, cmd.TeamID, nil, b.cfg.Now())
	if err != nil {
		return nil, err
	}
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

// digestHere posts the digest in the caller's channel.
func (b *Bot) digestHere(c call) (any, error) {
	if c.args != "" {
		return nil, invalid(digestUsage())
	}
	ctx, cmd, log := c.ctx, c.cmd, c.log
	d, err := digest.Build(b.store, cmd.TeamID, nil, b.cfg.Now())
	if err != nil {
		return nil, err
	}
	fallback, blocks := slackui.DigestBlocks(d, b.cfg.Zone)
	_, _, err = b.api.PostMessageContext(ctx, cmd.ChannelID, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...))
	switch code := slackErrorCode(err); {
	case err == nil:
		return nil, nil // the digest in the channel is the answer
	case code == "not_in_channel" || code == "channel_not_found":
		log.Info("digest here: not in the channel", "channel", cmd.ChannelID, "err", code)
		return b.digestFor(ctx, cmd, "I'm not in this channel, so I can't post here: invite me with `/invite @Kept` and try again. Meanwhile, here it is just for you.")
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
	if !strings.HasPrefix(cmd.ChannelID, "C") && !strings.HasPrefix(cmd.ChannelID, "G") {
		return nil, invalid("Run `/customer digest subscribe` in the channel that should get the digest, not in a direct message.")
	}
	api, ok := b.api.(digestAPI)
	if !ok {
		return nil, errors.New("inbound: subscribe: this Slack client cannot read channels")
	}
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: cmd.ChannelID})
	if code := slackErrorCode(err); code == "channel_not_found" || (err == nil && !info.IsMember) {
		return nil, invalid("I'm not in this channel yet, so I couldn't post the digest here. Invite me with `/invite @Kept`, then run `/customer digest subscribe` again.")
	}
	if err != nil {
		return nil, fmt.Errorf("inbound: subscribe: %w", err)
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
	return slackui.Escape(ch)
}

// slackErrorCode is the "error" of an ok:false answer inside err, if any.
func slackErrorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}
