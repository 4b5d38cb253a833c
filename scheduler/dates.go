package scheduler

import (
	"time"
)

// claimDates queues the prompts of customer dates due at now (a renewal
// its notice ahead, an anniversary on its week), batch by batch. Like the
// check-ins, a failure must not hold up the reminders: it is logged, and
// the next tick tries again; nothing is lost, since the index still holds
// what was not claimed.
func (s *Scheduler) claimDates(now time.Time) {
	pol := s.cfg.Dates.OrDefault()
	for {
		claimed, err := s.store.ClaimDates(now, pol, s.cfg.Batch)
		if err != nil {
			s.cfg.Log.Error("date prompts not claimed, will try again next tick", "err", err)
		}
		if err != nil || len(claimed) < s.cfg.Batch {
			return
		}
	}
}
