package scheduler

import "github.com/keptbot/kept/store"

// Observer is told the outcome of each delivery attempt: sent, skipped
// (nothing left to say, e.g. the promise was kept meanwhile), retry,
// rate_limited, unreachable or failed. *metrics.Metrics implements it.
type Observer interface {
	Nudged(kind, outcome string)
}

type nopObserver struct{}

func (nopObserver) Nudged(string, string) {}

func (s *Scheduler) observe(n store.Nudge, outcome string) {
	s.cfg.Observer.Nudged(string(n.Kind), outcome)
}

// sentOutcome tells a delivery from a nudge the deliverer found nothing
// to say for: it answers with no channel.
func sentOutcome(channel string) string {
	if channel == "" {
		return "skipped"
	}
	return "sent"
}
