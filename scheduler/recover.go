package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/store"
)

// Finder is offered by a Deliverer that can tell whether a nudge already
// reached Slack: Kept may have been killed after Slack accepted a post but
// before the outbox recorded it as sent, or a timeout may have hidden
// Slack's answer. Find reports where the nudge landed, if it did.
type Finder interface {
	Find(ctx context.Context, n store.Nudge) (channel, ts string, found bool, err error)
}

// errStale says a nudge was dropped rather than sent: what it was claimed
// for moved on (Store.Recheck).
var errStale = errors.New("scheduler: nudge is stale")

// mayHaveLanded says whether an earlier attempt at n may have reached
// Slack: it was left in sending (a crash, a shutdown mid-call) or an
// attempt ended without a clear refusal (a timeout, a 5xx). A 429 is a
// clear refusal and, through DeferNudge, does not count as an attempt.
func mayHaveLanded(n store.Nudge) bool {
	return n.State == store.NudgeSending || n.Attempts > 0
}

// send delivers n, first looking it up in Slack when an earlier attempt may
// have landed, so that a crash between Slack's answer and our commit does
// not repeat the message. Then, unless it landed, it rechecks n against
// the record it was claimed for (Store.Recheck): a stale nudge is dropped
// (errStale, n as recorded), one whose record changed hands goes to the
// new owner (*n re-addressed). before is n as read from the outbox, before
// MarkSending.
func (s *Scheduler) send(ctx context.Context, log *slog.Logger, before store.Nudge, np *store.Nudge) (channel, ts string, err error) {
	n := *np
	if channel, ts, found, err := s.landed(ctx, log, before, n); err != nil || found {
		return channel, ts, err
	}
	n, err = s.store.Recheck(n.ID, s.cfg.Now())
	if err != nil {
		return "", "", fmt.Errorf("scheduler: recheck: %w", err)
	}
	*np = n
	if n.State == store.NudgeDropped {
		return "", "", errStale
	}
	return s.deliver.Deliver(ctx, n)
}

// landed looks n up in Slack when an earlier attempt may have landed
// (before is n as read from the outbox): found, it says where. An error
// means "look again later rather than risk a second message"; when
// looking cannot work at all (a missing scope, say) it says not found:
// delivering at least once beats never delivering.
func (s *Scheduler) landed(ctx context.Context, log *slog.Logger, before, n store.Nudge) (channel, ts string, found bool, err error) {
	f, ok := s.deliver.(Finder)
	if !ok || !mayHaveLanded(before) {
		return "", "", false, nil
	}
	channel, ts, found, err = f.Find(ctx, n)
	switch {
	case err == nil && found:
		log.Info("nudge was already delivered; recording it", "channel", channel, "ts", ts)
		return channel, ts, true, nil
	case err != nil:
		var retry *outbox.RetryError
		if errors.As(err, &retry) || ctx.Err() != nil {
			// Slack is busy or we are stopping.
			return "", "", false, err
		}
		log.Warn("cannot look the nudge up in Slack; sending it, it may repeat", "err", err)
	}
	return "", "", false, nil
}

// rateLimited honours Retry-After. Slack's limits are per method and per
// workspace (chat.postMessage's is the one that binds when many nudges are
// due at once), so a 429 pauses every delivery, not just this recipient's,
// until Retry-After has passed (pause.go); n waits that long too, and the
// attempt is not counted, so that a 429 storm delays a nudge but never
// makes it fail.
func (s *Scheduler) rateLimited(n store.Nudge, retry *outbox.RetryError) error {
	until := s.cfg.Now().Add(retry.After)
	s.pause.hold(until)
	s.sharePause(until)
	return s.store.DeferNudge(n.ID, until, retry.Error())
}
