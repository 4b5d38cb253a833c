package digest

import (
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// The team view's scorecard: for each owner, how each of the last weeks
// went. Weeks are calendar weeks in the reader's zone (Monday 00:00 to
// Monday 00:00), so a week that a daylight-saving change crosses is 167 or
// 169 hours long, not seven times 24.

// Score is one owner's week.
type Score struct {
	// OnTime and Late count the promises kept in the week, by whether
	// they were kept by their promised time (model.OnTimeGrace); Late
	// also counts those whose promised time (and grace) ran out in the
	// week and that are still open.
	OnTime, Late int
	// Moved counts the times a promise's promised time was moved in the
	// week: the customer was told a new time.
	Moved int
	// Touches counts the touches the owner logged in the week.
	Touches int
}

// Add is s and t together.
func (s Score) Add(t Score) Score {
	return Score{s.OnTime + t.OnTime, s.Late + t.Late, s.Moved + t.Moved, s.Touches + t.Touches}
}

// WeekStarts is Monday 00:00 in loc of now's week, then of the n weeks
// before it, newest first: n+1 instants.
func WeekStarts(now time.Time, loc *time.Location, n int) []time.Time {
	l := now.In(loc)
	back := (int(l.Weekday()) + 6) % 7
	out := make([]time.Time, n+1)
	for i := range out {
		// time.Date normalises the day, and finds the instant of that
		// midnight whatever the offset then.
		out[i] = time.Date(l.Year(), l.Month(), l.Day()-back-7*i, 0, 0, 0, 0, loc)
	}
	return out
}

// Scorecard counts each owner's weeks: the week starting at starts[i]
// ends at starts[i-1], and the first (this week) at now. promises are the
// team's (their histories are read), touches those logged since the
// oldest start. Scores are indexed as starts are.
func Scorecard(promises []store.Promise, touches []store.Touch, starts []time.Time, now time.Time) map[string][]Score {
	out := map[string][]Score{}
	week := func(at time.Time) int {
		if at.After(now) {
			return -1
		}
		for i, s := range starts {
			if !at.Before(s) {
				return i
			}
		}
		return -1
	}
	score := func(owner string, at time.Time) *Score {
		i := week(at)
		if i < 0 || owner == "" {
			return nil
		}
		if out[owner] == nil {
			out[owner] = make([]Score, len(starts))
		}
		return &out[owner][i]
	}
	for _, p := range promises {
		for _, e := range p.History {
			switch e.Kind {
			case model.EventKept:
				if s := score(p.Owner, e.At); s != nil {
					if e.Detail == "late" {
						s.Late++
					} else {
						s.OnTime++
					}
				}
			case model.EventMoved:
				if s := score(p.Owner, e.At); s != nil {
					s.Moved++
				}
			}
		}
		if late := p.Due.Add(model.OnTimeGrace); p.State == model.PromiseOpen && late.Before(now) {
			if s := score(p.Owner, late); s != nil {
				s.Late++
			}
		}
	}
	for _, t := range touches {
		if s := score(t.By, t.At); s != nil {
			s.Touches++
		}
	}
	return out
}
