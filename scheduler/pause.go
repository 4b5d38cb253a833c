package scheduler

import (
	"sync"
	"time"
)

// pause is the scheduler-wide Retry-After. Slack rate-limits a method for
// the whole workspace, so once chat.postMessage answers 429 every other
// post would be refused too: deliveries stop until the pause ends, the
// nudges not yet tried stay in the outbox as they are (no store write, no
// Slack call), and Run wakes when it ends rather than at its next tick.
type pause struct {
	mu    sync.Mutex
	until time.Time // the latest Retry-After's end; kept once passed
}

func (p *pause) hold(until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.until) {
		p.until = until
	}
}

// end returns when the latest pause ends (or ended); zero if there was none.
func (p *pause) end() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.until
}

// paused reports whether deliveries must wait.
func (s *Scheduler) paused() bool {
	return s.pause.end().After(s.cfg.Now())
}

// pauseSharer is store.Pauses, which both backends offer: a Retry-After
// one process was told holds for whichever schedules next (another
// replica on PostgreSQL, this one after a restart on bbolt), so that a
// takeover or a restart does not hit the limit again. A fake store may
// leave it out.
type pauseSharer interface {
	SharePause(until time.Time) error
	SharedPause() (time.Time, error)
}

// sharePause records until for whoever schedules next, if the store keeps it.
func (s *Scheduler) sharePause(until time.Time) {
	if p, ok := s.store.(pauseSharer); ok {
		if err := p.SharePause(until); err != nil {
			s.cfg.Log.Warn("Retry-After not shared with the other replicas", "err", err)
		}
	}
}

// loadPause takes on a Retry-After another replica recorded.
func (s *Scheduler) loadPause() {
	if p, ok := s.store.(pauseSharer); ok {
		until, err := p.SharedPause()
		if err != nil {
			s.cfg.Log.Warn("could not read the other replicas' Retry-After", "err", err)
			return
		}
		s.pause.hold(until)
	}
}

// NextWake is when Run ticks again, given the next tick on its grid: at
// that tick, or sooner when a Retry-After pause that held back the last
// tick's deliveries ends or a nudge in the outbox comes due before it. A
// time already past means at once. `kept bench` uses it to model Run.
func (s *Scheduler) NextWake(nextTick time.Time) time.Time {
	s.mu.Lock()
	ran := s.ranAt
	s.mu.Unlock()
	var earliest time.Time
	t, found, err := s.store.NextNudgeAfter(ran)
	if err != nil {
		s.cfg.Log.Error("peek at the outbox", "err", err)
	} else if found {
		earliest = t
	}
	return wakeAt(ran, nextTick, s.pause.end(), earliest)
}

// wakeAt is NextWake's arithmetic. ran is when the last tick read the
// outbox: everything due by then was delivered, unless a pause ending at
// pausedUntil (zero for none) held it back. earliest is the first NotBefore
// in the outbox after ran, zero if none.
func wakeAt(ran, nextTick, pausedUntil, earliest time.Time) time.Time {
	wake := nextTick
	if pausedUntil.After(ran) && pausedUntil.Before(wake) {
		wake = pausedUntil // may be past: the last tick left work behind
	}
	if earliest.After(ran) {
		if earliest.Before(pausedUntil) {
			earliest = pausedUntil // no use waking while paused
		}
		if earliest.Before(wake) {
			wake = earliest
		}
	}
	return wake
}

// gridAfter is the first tick of the grid prev + k·period that is after
// now: ticks missed while a tick overran are skipped, not made up.
func gridAfter(prev, now time.Time, period time.Duration) time.Time {
	if prev.After(now) {
		return prev
	}
	return prev.Add((now.Sub(prev)/period + 1) * period)
}
