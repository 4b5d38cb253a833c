package scheduler

import "time"

// quietStore is offered by a store for which every question is a round
// trip to a server (PostgreSQL): Quiet says in one whether a tick at now
// has anything to claim or deliver. A store without it (bbolt, where a
// question costs microseconds) is asked each question in turn; the answer
// is the same.
type quietStore interface {
	Quiet(now time.Time, overdueAfter time.Duration) (bool, error)
}

// quiet reports whether the tick at now has nothing to do, by the store's
// probe. The digest, which the probe does not cover, is queued here; a
// digest queued is work. An error is not quiet: the full tick reports it.
func (s *Scheduler) quiet(now time.Time) bool {
	q, ok := s.store.(quietStore)
	if !ok {
		return false
	}
	if quiet, err := q.Quiet(now, s.cfg.OverdueAfter); err != nil || !quiet {
		return false
	}
	queued, err := s.queueDigests(now)
	if err != nil {
		s.cfg.Log.Error("digest not queued, will try again next tick", "err", err)
	}
	return queued == 0
}
