package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
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

// DeliverCheckins sends one owner's pending check-in prompts ns (one team,
// one recipient, marked sending and rechecked by the scheduler) as one
// message: the day's list (model.PlanCheckins), late ones marked, the
// rest held back to the next working day. It implements
// scheduler.Deliverer. The message's metadata names every prompt it
// carries, so that Find recognises it for each of them after a crash.
func (b *Notifier) DeliverCheckins(ctx context.Context, ns []store.Nudge) (outbox.Batch, error) {
	res := outbox.Batch{Later: map[int64]*outbox.LaterError{}}
	if len(ns) == 0 {
		return res, nil
	}
	team, to, now := ns[0].Team, ns[0].To, b.cfg.Now()
	var live []store.Nudge
	customers := map[int64]store.Customer{}
	for _, n := range ns {
		c, err := b.store.Customer(n.Team, n.Subject)
		switch {
		case errors.Is(err, store.ErrNotFound):
			res.Skipped = append(res.Skipped, n.ID) // removed since: nothing to say
			continue
		case err != nil:
			return outbox.Batch{}, fmt.Errorf("notify: nudge %d: %w", n.ID, err)
		case model.RecheckCheckin(n, c, true, now).Drop:
			res.Skipped = append(res.Skipped, n.ID) // touched, put off or set to never since
			continue
		}
		customers[n.ID] = c
		live = append(live, n)
	}
	if len(live) == 0 {
		return res, nil
	}
	loc, ok := b.recipientZone(ctx, to)
	if !ok {
		return b.rerouteCheckins(ctx, res, live, customers, "deactivated")
	}
	wh := b.cfg.WorkHours.OrDefault()
	if !wh.Within(now, loc) {
		return outbox.Batch{}, &outbox.LaterError{Until: wh.Next(now, loc), Reason: "outside the owner's working hours (" + loc.String() + ")"}
	}
	last, err := b.store.LastRun(checkinDay(team, to))
	if err != nil {
		return outbox.Batch{}, fmt.Errorf("notify: check-ins for %s: %w", to, err)
	}
	plan := model.PlanCheckins(live, b.cfg.CheckinsPerDay, last, now, wh, loc)
	for _, n := range plan.Later {
		res.Later[n.ID] = &outbox.LaterError{Until: plan.Until, Reason: "the day's check-in message for " + to + " went out or is full; on the next working day"}
	}
	if len(plan.Send) == 0 {
		return res, nil
	}
	rows := make([]slackui.CheckinRow, len(plan.Send))
	ids := make([]int64, len(plan.Send))
	for i, n := range plan.Send {
		rows[i] = slackui.CheckinRow{Customer: customers[n.ID], Nudge: n.ID}
		if meant, late := model.CheckinLate(n, now, wh, loc); late {
			rows[i].Late = meant
		}
		ids[i] = n.ID
	}
	fallback, blocks := slackui.Checkins(rows, loc, now)
	channel, ts, err := b.post(ctx, to, checkinMeta(ids, ""), fallback, blocks)
	if err != nil {
		if errors.Is(deliveryError(err), outbox.ErrUnreachable) {
			return b.rerouteCheckins(ctx, res, plan.Send, customers, cmp.Or(slackErrorCode(err), "unreachable"))
		}
		return outbox.Batch{}, deliveryError(err)
	}
	b.markCheckinDay(team, to, now)
	res.Channel, res.TS, res.Sent = channel, ts, ids
	return res, nil
}

// checkinDay names the run record of when to's last check-in message in
// team went out (Store.LastRun): an owner gets one a working day.
func checkinDay(team, to string) string { return "checkins|" + team + "|" + to }

// markCheckinDay records that a check-in message reached to at at. A
// failure costs at most a second message that day; it is logged.
func (b *Notifier) markCheckinDay(team, to string, at time.Time) {
	name := checkinDay(team, to)
	if last, err := b.store.LastRun(name); err == nil && !last.Before(at) {
		return
	}
	if err := b.store.SetLastRun(name, at); err != nil {
		b.cfg.Log.Error("record the day's check-in message", "to", to, "err", err)
	}
}

// checkinMeta tags a check-in message with every prompt it carries
// (rerouted, with the owner it was for).
func checkinMeta(ids []int64, reroutedFrom string) slack.SlackMetadata {
	// A list of numbers is not a value Slack's metadata takes (its
	// payload's arrays hold objects), so the ids go as one string.
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.FormatInt(id, 10)
	}
	payload := map[string]any{"nudge_id": ids[0], "nudge_ids": strings.Join(list, ","), "kind": string(model.NudgeCheckin)}
	if reroutedFrom != "" {
		payload["rerouted_from"] = reroutedFrom
	}
	return slack.SlackMetadata{EventType: nudgeEvent, EventPayload: payload}
}

// rerouteCheckins posts the prompts of an owner who cannot be reached to
// the digest channel in one note, as reroute does for one nudge.
func (b *Notifier) rerouteCheckins(ctx context.Context, res outbox.Batch, ns []store.Nudge, customers map[int64]store.Customer, reason string) (outbox.Batch, error) {
	to, now := ns[0].To, b.cfg.Now()
	var names []string
	ids := make([]int64, len(ns))
	for i, n := range ns {
		c := customers[n.ID]
		names = append(names, fmt.Sprintf("*%s* (%s)", slackui.Escape(c.Name), slackui.TouchState(c, b.cfg.Zone, now)))
		ids[i] = n.ID
	}
	note := "check-in with " + strings.Join(names, ", ") + "."
	log := b.cfg.Log.With("nudges", ids, "owner", to, "reason", reason)
	channel, ts, err := b.rerouted(ctx, log, to, reason, note, checkinMeta(ids, to))
	if err != nil {
		return outbox.Batch{}, err
	}
	res.Channel, res.TS, res.Sent = channel, ts, ids
	return res, nil
}

// carries reports whether a message's kept_nudge metadata names nudge id:
// as its nudge, or among the prompts a check-in message carries.
func carries(payload map[string]any, id int64) bool {
	return slices.Contains(Carried(payload), id)
}

// Carried is every nudge a message's kept_nudge metadata payload names:
// its nudge_id, or the nudge_ids ("12,13,14") of gathered check-ins.
func Carried(payload map[string]any) []int64 {
	list, ok := payload["nudge_ids"].(string)
	if !ok {
		return []int64{payloadID(payload["nudge_id"])}
	}
	var ids []int64
	for v := range strings.SplitSeq(list, ",") {
		ids = append(ids, payloadID(v))
	}
	return ids
}
