package scheduler

import (
	"errors"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/keptbot/kept/store"
)

// The channel digest runs on a cron schedule, but not on robfig/cron's
// runner: that one sleeps on the wall clock, so it could not be tested
// without waiting, and it forgets its runs on restart. Only robfig's
// parser is used; the scheduler's own tick asks the schedule when the next
// run after the last recorded one is, and queues the digest when that time
// has come. The run is recorded in the same transaction as its nudges, so a
// restart neither skips a run nor repeats it, and a run missed while Kept
// was down is posted once when it is back, not once per missed week.

// DigestJob is the name under which the digest's last run is recorded.
const DigestJob = "digest"

// maxCatchUp bounds the walk to the latest missed run; past it the run is
// recorded at now, which for a cron spec is the same next run.
const maxCatchUp = 100_000

// latestRun returns the latest run of sched in (last, now], if any.
func latestRun(sched cron.Schedule, last, now time.Time) (time.Time, bool) {
	next := nextRun(sched, last)
	if next.IsZero() || next.After(now) {
		return time.Time{}, false
	}
	for range maxCatchUp {
		after := nextRun(sched, next)
		if after.IsZero() || after.After(now) {
			return next, true
		}
		next = after
	}
	return now, true
}

// nextRun is sched.Next without robfig's fall-back repeat: on the night
// clocks go back it returns 1:30 again an hour after 1:30 (the notes in
// libraries.md reproduce it). A digest is once per wall-clock time.
func nextRun(sched cron.Schedule, after time.Time) time.Time {
	next := sched.Next(after)
	spec, ok := sched.(*cron.SpecSchedule)
	if !ok || next.IsZero() {
		return next
	}
	a, n := after.In(spec.Location), next.In(spec.Location)
	if sameWallClock(a, n) {
		return sched.Next(next)
	}
	return next
}

func sameWallClock(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Second() == b.Second()
}

// queueDigests queues the digest for every target channel when a run is
// due. On the very first start there is no last run: it records now and
// posts nothing, so installing Kept on a Monday at 10:00 does not post a
// digest nobody asked for; the first one goes out at the next scheduled
// time.
func (s *Scheduler) queueDigests(now time.Time) (int, error) {
	if s.cfg.Digest == nil {
		return 0, nil
	}
	last, err := s.store.LastRun(DigestJob)
	if err != nil {
		return 0, fmt.Errorf("scheduler: digest: %w", err)
	}
	if last.IsZero() {
		if err := s.store.SetLastRun(DigestJob, now); err != nil {
			return 0, fmt.Errorf("scheduler: digest: %w", err)
		}
		return 0, nil
	}
	at, ok := latestRun(s.cfg.Digest, last, now)
	if !ok {
		return 0, nil
	}
	nudges, err := s.digestTargets(now)
	if err != nil {
		return 0, err
	}
	queued, err := s.store.QueueRun(DigestJob, last, at, nudges)
	if errors.Is(err, store.ErrRunMoved) {
		return 0, nil // another tick queued this run
	}
	if err != nil {
		return 0, fmt.Errorf("scheduler: digest: %w", err)
	}
	s.cfg.Log.Info("digest queued", "run", at, "channels", len(queued), "targets", len(nudges))
	return len(queued), nil
}

// digestTargets is one nudge per channel: the configured channel, which
// gets the whole workspace's digest, and every subscribed channel. The
// configured channel's nudge has no team: the bot delivers it for its own
// workspace.
func (s *Scheduler) digestTargets(now time.Time) ([]store.Nudge, error) {
	var out []store.Nudge
	if s.cfg.DigestChannel != "" {
		out = append(out, store.Nudge{Kind: store.DigestNudge, To: s.cfg.DigestChannel, Subject: string(store.ScopeAll), NotBefore: now})
	}
	subs, err := s.store.Subscriptions("")
	if err != nil {
		return nil, fmt.Errorf("scheduler: digest: %w", err)
	}
	for _, sub := range subs {
		if sub.Channel == s.cfg.DigestChannel {
			continue // already has the whole workspace's
		}
		out = append(out, store.Nudge{Kind: store.DigestNudge, Team: sub.Team, To: sub.Channel, Subject: string(sub.Scope), NotBefore: now})
	}
	return out, nil
}
