package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// waits is what the notifier reads of customer channels: the open
// "waiting on us" item a nudge is about, and where its DM landed. The
// store has it; a fake of the store may not, and then nothing is waiting.
type waits interface {
	Wait(team, channel, thread string) (store.Wait, error)
	WaitSent(team, channel, thread string, nudgeID int64, dmChannel, dmTS string) error
}

// deleter withdraws a message Kept posted; *slack.Client has it.
type deleter interface {
	DeleteMessageContext(ctx context.Context, channel, messageTimestamp string) (string, string, error)
}

// deliverWaiting tells the customer's owner that a message of theirs in a
// linked channel has gone unanswered. If our side answered meanwhile (the
// wait is closed), there is nothing to say.
func (b *Notifier) deliverWaiting(ctx context.Context, n store.Nudge) (string, string, error) {
	st, ok := b.store.(waits)
	if !ok {
		return "", "", nil
	}
	channel, thread, _ := strings.Cut(n.Subject, "|")
	w, err := st.Wait(n.Team, channel, thread)
	if errors.Is(err, store.ErrNotFound) || err == nil && w.NudgeID != n.ID {
		return "", "", nil // answered, or handled, since it was queued
	}
	if err != nil {
		return "", "", fmt.Errorf("notify: nudge %d: %w", n.ID, err)
	}
	c, err := b.store.Customer(n.Team, w.Customer)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", "", nil // removed since: nobody tracks it any more
	case err == nil && c.Owner != "":
		n.To = c.Owner // handed over since the message came
	}
	now := b.cfg.Now()
	var dm, ts string
	if loc, ok := b.recipientZone(ctx, n.To); ok {
		fallback, blocks := slackui.WaitingDM(w, loc, now)
		if dm, ts, err = b.postNudge(ctx, n, fallback, blocks); err != nil {
			dm, ts, err = b.unreachable(ctx, n, err, waitingNote(w, now))
		}
	} else {
		// Slack takes a DM to a deactivated user and nobody reads it.
		dm, ts, err = b.reroute(ctx, n, "deactivated", waitingNote(w, now))
	}
	if err != nil {
		return "", "", err
	}
	// Rerouted, the note in the digest channel is the DM: our side's
	// answer withdraws it there.
	return b.settleWaiting(ctx, st, n, dm, ts)
}

// waitingOwner is who hears of wait w now: its customer's owner, who may
// have changed since the wait opened (n.To then); the old owner if the
// customer cannot be read.
func (b *Notifier) waitingOwner(n store.Nudge, w store.Wait) string {
	if c, err := b.store.Customer(n.Team, w.Customer); err == nil && c.Owner != "" {
		return c.Owner
	}
	return n.To
}

// waitingNote says, for the digest channel, what waits on us.
func waitingNote(w store.Wait, now time.Time) string {
	return fmt.Sprintf("*%s* is waiting on us: %s wrote in %s %s ago and nobody on our side has answered.",
		slackui.Escape(w.Customer), slackui.MentionUser(w.By), slackui.MentionChannel(w.Channel), slackui.HoursOrDays(now.Sub(w.At)))
}

// settleWaiting records on the wait where its DM landed, so that our
// side's reply can delete it. If our side replied while the DM was on its
// way (the wait closed before Slack answered), the reply found nowhere to
// delete: the DM is withdrawn here, at once, and the nudge ends as not
// sent. The store orders WaitSent and CloseWait, so one of the two sides
// always sees the other.
func (b *Notifier) settleWaiting(ctx context.Context, st waits, n store.Nudge, dm, ts string) (string, string, error) {
	channel, thread, _ := strings.Cut(n.Subject, "|")
	err := st.WaitSent(n.Team, channel, thread, n.ID, dm, ts)
	if err == nil {
		return dm, ts, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		// The DM stands and is recorded on the nudge (MarkSent), where
		// the reply looks too.
		b.cfg.Log.Error("record where the waiting DM landed", "nudge", n.ID, "err", err)
		return dm, ts, nil
	}
	d, ok := b.api.(deleter)
	if !ok {
		return dm, ts, nil
	}
	if _, _, err := d.DeleteMessageContext(ctx, dm, ts); err != nil {
		b.cfg.Log.Warn("withdraw the waiting DM our side's reply overtook", "nudge", n.ID, "err", err)
		return dm, ts, nil
	}
	b.cfg.Log.Info("waiting DM withdrawn: our side replied while it was being sent", "nudge", n.ID)
	return "", "", nil
}

// foundWaiting settles a waiting DM that Find found in Slack after a crash
// hid Slack's answer: as if the delivery had just returned.
func (b *Notifier) foundWaiting(ctx context.Context, n store.Nudge, dm, ts string) (string, string) {
	st, ok := b.store.(waits)
	if !ok || n.Kind != store.Waiting {
		return dm, ts
	}
	dm, ts, _ = b.settleWaiting(ctx, st, n, dm, ts)
	return dm, ts
}
