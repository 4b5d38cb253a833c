package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// historyAPI is what Find needs of the Web API; *slack.Client has it. It
// is asked for by type assertion so that fakes of Slack need not have it.
type historyAPI interface {
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
}

const (
	// findSkew widens the search to messages a little older than the
	// nudge, in case Slack's clock is behind ours.
	findSkew = time.Minute
	// findPageSize and findPages bound one lookup: a DM with Kept does not
	// get thousands of messages between a nudge and its retry.
	findPageSize = 200
	findPages    = 10
)

// Find looks for a message Kept already posted for nudge n: in the DM with
// its recipient (or in its channel) and in the digest channel, among the
// messages since n was queued, by the kept_nudge metadata carrying n's id.
// It implements scheduler.Finder: the scheduler asks before sending again a
// nudge whose earlier attempt may have reached Slack.
//
// Reading a DM's history needs the im:history scope (channels:history or
// groups:history for a public or private channel).
func (b *Notifier) Find(ctx context.Context, n store.Nudge) (channel, ts string, found bool, err error) {
	h, ok := b.api.(historyAPI)
	if !ok {
		return "", "", false, errors.New("notify: this Slack client cannot read conversation history")
	}
	// Only Kept's own posts count: anyone may post a message carrying
	// kept_nudge metadata, and one who did would otherwise suppress a
	// reminder.
	self, err := b.identity(ctx)
	if err != nil {
		return "", "", false, lookupError(err)
	}
	var chans []string
	for _, to := range b.sentTo(n) {
		if !isUserTarget(to) {
			chans = append(chans, to)
			continue
		}
		ch, _, _, err := h.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{to}, ReturnIM: true})
		switch {
		case err == nil:
			chans = append(chans, ch.ID)
		case errors.Is(deliveryError(err), outbox.ErrUnreachable):
			// No DM to look in (a deactivated owner): only the digest
			// channel can hold it.
		default:
			return "", "", false, lookupError(err)
		}
	}
	if d := b.cfg.DigestChannel; d != "" && !slices.Contains(chans, d) {
		chans = append(chans, d)
	}
	for _, ch := range chans {
		ts, found, err := findIn(ctx, h, ch, self.BotID, n)
		if err != nil && ch == n.To && !isUserTarget(n.To) && errors.Is(deliveryError(err), outbox.ErrUnreachable) {
			// A channel Kept cannot read (not in it, gone) took no post
			// of Kept's: it can only have been rerouted.
			continue
		}
		if err != nil {
			return "", "", false, err
		}
		if found {
			ch, ts = b.foundWaiting(ctx, n, ch, ts)
			if at, ok := slackui.TSTime(ts); ok && n.Kind == model.NudgeCheckin && isUserTarget(n.To) && ch != b.cfg.DigestChannel {
				// The day's check-in message went out, even if Kept
				// stopped before it said so: no second one today.
				b.markCheckinDay(n.Team, n.To, at)
			}
			return ch, ts, true, nil
		}
	}
	return "", "", false, nil
}

// sentTo is where an earlier attempt at n may have gone: n.To, and for an
// offer or a waiting DM, which go to the customer's owner as of sending
// (deliverOffer, deliverWaiting), that owner too.
func (b *Notifier) sentTo(n store.Nudge) []string {
	owner := n.To
	switch n.Kind {
	case model.NudgeOffer:
		if c, err := b.store.Customer(n.Team, n.Subject); err == nil && c.Owner != "" {
			owner = c.Owner
		}
	case store.Waiting:
		channel, thread, _ := strings.Cut(n.Subject, "|")
		if st, ok := b.store.(waits); ok {
			if w, err := st.Wait(n.Team, channel, thread); err == nil && w.NudgeID == n.ID {
				owner = b.waitingOwner(n, w)
			}
		}
	}
	if owner == n.To {
		return []string{n.To}
	}
	return []string{n.To, owner}
}

// findIn pages through channel's history since n was queued, for a
// message posted by botID that carries n's id.
func findIn(ctx context.Context, h historyAPI, channel, botID string, n store.Nudge) (string, bool, error) {
	params := slack.GetConversationHistoryParameters{
		ChannelID:          channel,
		Oldest:             slackTS(n.Created.Add(-findSkew)),
		Limit:              findPageSize,
		IncludeAllMetadata: true,
	}
	for range findPages {
		res, err := h.GetConversationHistoryContext(ctx, &params)
		if err != nil {
			return "", false, lookupError(err)
		}
		for _, m := range res.Messages {
			if m.BotID == botID && m.Metadata.EventType == nudgeEvent && carries(m.Metadata.EventPayload, n.ID) {
				return m.Timestamp, true, nil
			}
		}
		if !res.HasMore || res.ResponseMetaData.NextCursor == "" {
			return "", false, nil
		}
		params.Cursor = res.ResponseMetaData.NextCursor
	}
	return "", false, fmt.Errorf("notify: nudge %d: over %d messages in %s since it was queued; not searched further", n.ID, findPages*findPageSize, channel)
}

// lookupError is deliveryError for the calls Find makes: 429 and 5xx ask
// the scheduler to try again later.
func lookupError(err error) error {
	var retry *outbox.RetryError
	if errors.As(deliveryError(err), &retry) {
		return retry
	}
	return fmt.Errorf("notify: look for a nudge in Slack: %w", err)
}

// slackTS writes t as a message timestamp, for oldest/latest.
func slackTS(t time.Time) string {
	us := t.UnixMicro()
	if us < 0 {
		us = 0
	}
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// payloadID reads a nudge id from metadata however JSON decoded it.
func payloadID(v any) int64 {
	switch v := v.(type) {
	case float64:
		return int64(v)
	case json.Number:
		id, _ := v.Int64()
		return id
	case string:
		id, _ := strconv.ParseInt(v, 10, 64)
		return id
	}
	return -1
}

func isUserTarget(to string) bool {
	return strings.HasPrefix(to, "U") || strings.HasPrefix(to, "W")
}

// slackErrorCode is the "error" of an ok:false answer inside err, if any.
func slackErrorCode(err error) string {
	var se slack.SlackErrorResponse
	if asSlackError(err, &se) {
		return se.Err
	}
	return ""
}

// promiseNote says what a reminder was about, for the digest channel.
func promiseNote(p store.Promise, kind store.NudgeKind, loc *time.Location, now time.Time) string {
	what := "reminder"
	switch kind {
	case store.OverdueNudge:
		what = "overdue reminder"
	case model.NudgeEscalation, model.NudgeEscalated:
		what = "escalation of"
	}
	return fmt.Sprintf("%s %s, due %s.", what, slackui.Summary(p), slackui.Date(p.Due, now, loc))
}

// unreachable handles a failed post of nudge n to a person, or of an
// escalation to a channel (KEPT_ESCALATE_TO): when Slack says it can never
// get there (a deactivated owner; a channel Kept is not in, archived or
// gone), it goes to the digest channel instead.
func (b *Notifier) unreachable(ctx context.Context, n store.Nudge, postErr error, note string) (string, string, error) {
	err := deliveryError(postErr)
	if !errors.Is(err, outbox.ErrUnreachable) {
		return "", "", err
	}
	reason := slackErrorCode(postErr)
	if reason == "" {
		reason = "unreachable"
	}
	return b.reroute(ctx, n, reason, note)
}

// reroute posts nudge n, whose owner cannot be reached for reason, to the
// digest channel with a note, so that a lead can act on it. Without a
// digest channel it stays failed with the reason, logged as an error:
// never silently dropped.
func (b *Notifier) reroute(ctx context.Context, n store.Nudge, reason, note string) (string, string, error) {
	log := b.cfg.Log.With("nudge", n.ID, "owner", n.To, "reason", reason)
	meta := slack.SlackMetadata{
		EventType:    nudgeEvent,
		EventPayload: map[string]any{"nudge_id": n.ID, "kind": string(n.Kind), "rerouted_from": n.To},
	}
	return b.rerouted(ctx, log, n.To, reason, note, meta)
}

// rerouted posts note, about what could not reach to for reason, in the
// digest channel, tagged with meta: the text split into sections and
// bounded to Slack's limits however long the note (a list of check-ins).
func (b *Notifier) rerouted(ctx context.Context, log *slog.Logger, to, reason, note string, meta slack.SlackMetadata) (string, string, error) {
	text := fmt.Sprintf("Couldn't reach %s (%s): %s", slackui.MentionUser(to), reason, note)
	if !isUserTarget(to) {
		text = fmt.Sprintf("Couldn't post in %s (%s): %s", slackui.MentionChannel(to), reason, note)
	}
	if b.cfg.DigestChannel == "" {
		log.Error("nudge owner cannot be reached and KEPT_DIGEST_CHANNEL is not set; the nudge is kept as failed")
		return "", "", fmt.Errorf("notify: %w: user %s (%s), and no digest channel is set", outbox.ErrUnreachable, to, reason)
	}
	channel, ts, err := b.api.PostMessageContext(ctx, b.cfg.DigestChannel,
		slack.MsgOptionText(slackui.Fit(text, slackui.MaxMessageText), false),
		slack.MsgOptionBlocks(slackui.Bound(slackui.SplitSections(text), slackui.MaxMessageBlocks, "")...),
		slack.MsgOptionMetadata(meta),
	)
	if err != nil {
		err = deliveryError(err)
		if errors.Is(err, outbox.ErrUnreachable) {
			log.Error("nudge owner cannot be reached and the digest channel refused it; the nudge is kept as failed", "channel", b.cfg.DigestChannel, "err", err)
			return "", "", fmt.Errorf("notify: user %s (%s), and digest channel %s: %w", to, reason, b.cfg.DigestChannel, err)
		}
		return "", "", err
	}
	log.Warn("nudge owner cannot be reached; sent to the digest channel", "channel", channel)
	return channel, ts, nil
}
