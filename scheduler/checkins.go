package scheduler

import (
	"context"
	"errors"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// gather splits a batch of pending nudges into units of delivery: every
// check-in prompt for one recipient of one team together (one message
// lists them, Deliverer.DeliverCheckins), every other nudge alone, in
// the order the first of each unit came.
func gather(nudges []store.Nudge) [][]store.Nudge {
	type owner struct{ team, to string }
	var out [][]store.Nudge
	at := map[owner]int{}
	for _, n := range nudges {
		if n.Kind != model.NudgeCheckin {
			out = append(out, []store.Nudge{n})
			continue
		}
		k := owner{n.Team, n.To}
		if i, ok := at[k]; ok {
			out[i] = append(out[i], n)
			continue
		}
		at[k] = len(out)
		out = append(out, []store.Nudge{n})
	}
	return out
}

// deliverCheckins delivers one recipient's check-in prompts as one
// message. Every prompt is marked sending before the post, so that after
// a crash each of them is looked up in Slack (the message's metadata
// names them all) before anything is sent again: the message is sent
// once, and every prompt it carries is recorded with it. One worker has
// the whole group, so no two messages are made of the same prompts.
func (s *Scheduler) deliverCheckins(ctx context.Context, group []store.Nudge) {
	var live []store.Nudge
	for _, before := range group {
		log := s.cfg.Log.With("nudge", before.ID, "kind", before.Kind, "team", before.Team)
		if s.paused() || ctx.Err() != nil {
			return // left in the outbox as they are
		}
		n, err := s.store.MarkSending(before.ID)
		if errors.Is(err, store.ErrNotPending) {
			continue // sent or given up meanwhile
		}
		if err != nil {
			log.Error("mark nudge sending", "err", err)
			continue
		}
		channel, ts, found, err := s.landed(ctx, log, before, n)
		if err != nil {
			if ctx.Err() == nil { // shutting down: left in the outbox, as deliverOne leaves one
				s.settle(log, n, err)
			}
			continue
		}
		if found {
			s.observe(n, sentOutcome(channel))
			if err := s.store.MarkSent(n.ID, channel, ts); err != nil {
				log.Error("mark nudge sent", "err", err)
			}
			continue
		}
		r, err := s.store.Recheck(n.ID, s.cfg.Now())
		switch {
		case err != nil:
			s.settle(log, n, err)
		case r.State == store.NudgeDropped:
			log.Info("nudge dropped: what it was for moved on", "reason", r.Error)
			s.observe(r, "skipped")
		case r.To != before.To:
			// The customer changed hands. Its new owner's prompts go in
			// their own message, which another worker may be making
			// now: put this one back, for the next round to gather with
			// theirs and count against their day.
			if err := s.store.DeferNudge(r.ID, s.cfg.Now(), "handed to "+r.To+": gathered with their check-ins"); err != nil {
				log.Error("put back a check-in handed over", "err", err)
			}
		default:
			live = append(live, r)
		}
	}
	if len(live) > 0 {
		s.sendCheckins(ctx, live)
	}
}

// sendCheckins hands live, marked sending and rechecked, to the
// deliverer and records what became of each.
func (s *Scheduler) sendCheckins(ctx context.Context, live []store.Nudge) {
	log := s.cfg.Log.With("kind", model.NudgeCheckin, "team", live[0].Team, "to", live[0].To)
	b, err := s.deliver.DeliverCheckins(ctx, live)
	if err != nil {
		if ctx.Err() != nil {
			return // shutting down: the next start looks them up and retries
		}
		for _, n := range live {
			s.settle(log.With("nudge", n.ID), n, err)
		}
		return
	}
	byID := map[int64]store.Nudge{}
	for _, n := range live {
		byID[n.ID] = n
	}
	for _, id := range b.Sent {
		s.observe(byID[id], sentOutcome(b.Channel))
		if err := s.store.MarkSent(id, b.Channel, b.TS); err != nil {
			log.Error("mark nudge sent", "nudge", id, "err", err)
		}
	}
	for _, id := range b.Skipped {
		s.observe(byID[id], "skipped")
		if err := s.store.MarkSent(id, "", ""); err != nil {
			log.Error("mark nudge sent", "nudge", id, "err", err)
		}
	}
	for id, later := range b.Later {
		log.Debug("nudge waits", "nudge", id, "until", later.Until, "reason", later.Reason)
		if err := s.store.DeferNudge(id, later.Until, later.Error()); err != nil {
			log.Error("record nudge outcome", "nudge", id, "err", err)
		}
	}
	for _, id := range b.Sent {
		delete(byID, id)
	}
	for _, id := range b.Skipped {
		delete(byID, id)
	}
	for id := range b.Later {
		delete(byID, id)
	}
	for _, n := range byID {
		// A deliverer that forgot one: it must not stay in sending.
		s.settle(log.With("nudge", n.ID), n, errors.New("scheduler: the check-in message said nothing of this prompt"))
	}
}
