package notify

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// deliverDigest posts a queued digest, built fresh at send time. A channel
// Kept is not in keeps its digest in the outbox, tried again every
// digestRetry, so inviting Kept is enough for it to arrive.
func (b *Notifier) deliverDigest(ctx context.Context, n store.Nudge) (channel, ts string, err error) {
	log := b.cfg.Log.With("nudge", n.ID, "channel", n.To)
	team := n.Team
	if team == "" {
		if team, err = b.ownTeam(ctx); err != nil {
			return "", "", err
		}
	}
	var owners map[string]bool
	if n.Subject == string(store.ScopeMembers) {
		owners, err = b.members(ctx, n.To)
		if err != nil {
			return "", "", b.digestRefused(log, n, err)
		}
	}
	d, err := digest.Build(b.store, team, owners, b.cfg.Now(), b.cfg.Zone)
	if err != nil {
		return "", "", err
	}
	// "and N more" links to the team view once Slack has named the app;
	// before the first hello it names the view without a link.
	d.TeamView = slackui.TeamViewLink(team, b.AppID())
	fallback, blocks := slackui.DigestBlocks(d, b.cfg.Zone)
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
func (b *Notifier) digestRefused(log *slog.Logger, n store.Nudge, err error) error {
	code := slackErrorCode(err)
	if code != "not_in_channel" && code != "channel_not_found" {
		return deliveryError(err)
	}
	b.digestTrouble.Store(n.To, code)
	log.Warn("cannot post the digest: invite Kept to the channel; it stays queued and is retried", "err", code, "retry_in", digestRetry)
	// Not a failure to count against MaxAttempts, nor a rate limit that
	// would hold back other messages to the channel: the digest waits.
	return &outbox.LaterError{Until: b.cfg.Now().Add(digestRetry), Reason: "Kept is not in " + n.To + " (" + code + ")"}
}

// ownTeam is the workspace of Kept's token, for the configured digest
// channel, whose nudge carries no team.
func (b *Notifier) ownTeam(ctx context.Context) (string, error) {
	id, err := b.identity(ctx)
	return id.TeamID, err
}

// identity is what auth.test says of Kept's own token: its workspace and
// its bot id. It is asked once and remembered.
func (b *Notifier) identity(ctx context.Context) (*slack.AuthTestResponse, error) {
	if id, ok := b.self.Load().(*slack.AuthTestResponse); ok {
		return id, nil
	}
	api, ok := b.api.(digestAPI)
	if !ok {
		return &slack.AuthTestResponse{}, errors.New("notify: this Slack client cannot tell its workspace")
	}
	res, err := api.AuthTestContext(ctx)
	if err != nil {
		return &slack.AuthTestResponse{}, deliveryError(err)
	}
	if res.TeamID == "" || res.BotID == "" {
		return &slack.AuthTestResponse{}, errors.New("notify: auth.test did not say which workspace and bot the token is for")
	}
	b.self.Store(res)
	return res, nil
}

// members is the set of channel's members, for a members-only digest.
func (b *Notifier) members(ctx context.Context, channel string) (map[string]bool, error) {
	api, ok := b.api.(digestAPI)
	if !ok {
		return nil, errors.New("notify: this Slack client cannot list channel members")
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

// digestRetry is how soon a digest Slack refused (Kept not in the channel)
// is tried again; it waits in the outbox meanwhile.
const digestRetry = 15 * time.Minute

// digestAPI is what the digest needs of Slack beyond posting; *slack.Client
// has it.
type digestAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	GetUsersInConversationContext(ctx context.Context, params *slack.GetUsersInConversationParameters) ([]string, string, error)
}
