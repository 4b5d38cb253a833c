package model

import (
	"testing"
	"time"
)

type healthCase struct {
	name   string
	c      Customer
	f      HealthFacts
	loc    *time.Location
	now    time.Time
	want   Health
	reason HealthReason
}

func TestHealthOf(t *testing.T) {
	const day = 24 * time.Hour
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Wednesday 2 December 2026, 12:00 UTC.
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	created := now.Add(-365 * day)
	renews := func(c Customer, in time.Duration) Customer {
		c.Dates = []CustomerDate{{Kind: DateRenewal, On: DayOf(now.Add(in), time.UTC)}}
		return c
	}
	every14 := func(touched time.Duration) Customer {
		return Customer{Name: "Acme", Cadence: 14 * day, Created: created, LastTouch: now.Add(-touched)}
	}
	open := func(due time.Time) Promise { return Promise{State: PromiseOpen, Due: due} }
	tests := []healthCase{
		{"touched yesterday", every14(day), HealthFacts{}, time.UTC, now, HealthOnTrack, ReasonNone},
		{"check-in in 3 days is not soon", every14(11 * day), HealthFacts{}, time.UTC, now, HealthOnTrack, ReasonNone},
		{"check-in the day after tomorrow", every14(12 * day), HealthFacts{}, time.UTC, now, HealthDueSoon, ReasonCheckinSoon},
		{"check-in due this very instant is not yet past", every14(14 * day), HealthFacts{}, time.UTC, now, HealthDueSoon, ReasonCheckinSoon},
		{"a nanosecond past the check-in", every14(14*day + 1), HealthFacts{}, time.UTC, now, HealthGoingQuiet, ReasonOverdue},
		{"past by almost a whole cadence", every14(28*day - 1), HealthFacts{}, time.UTC, now, HealthGoingQuiet, ReasonOverdue},
		{"past by a whole cadence", every14(28 * day), HealthFacts{}, time.UTC, now, HealthNeglected, ReasonSilent},
		{"past by a cadence, but they wrote last week", every14(40 * day), HealthFacts{LastHeard: now.Add(-7 * day)}, time.UTC, now, HealthGoingQuiet, ReasonOverdue},
		{"past by a cadence, they wrote a cadence ago", every14(40 * day), HealthFacts{LastHeard: now.Add(-14 * day)}, time.UTC, now, HealthNeglected, ReasonSilent},
		{"hearing from them does not postpone the check-in", every14(15 * day), HealthFacts{LastHeard: now.Add(-time.Hour)}, time.UTC, now, HealthGoingQuiet, ReasonOverdue},
		{"never touched, added 20 days ago", Customer{Cadence: 14 * day, Created: now.Add(-20 * day)}, HealthFacts{}, time.UTC, now, HealthGoingQuiet, ReasonOverdue},
		{"snoozed past the check-in", func() Customer { c := every14(20 * day); c.SnoozedUntil = now.Add(5 * day); return c }(), HealthFacts{}, time.UTC, now, HealthOnTrack, ReasonNone},
		{"a late promise beats a fresh touch", every14(time.Hour), HealthFacts{Promises: []Promise{open(now.Add(-OnTimeGrace - time.Minute))}}, time.UTC, now, HealthNeglected, ReasonLatePromise},
		{"a promise within its grace is not late", every14(time.Hour), HealthFacts{Promises: []Promise{open(now.Add(-OnTimeGrace))}}, time.UTC, now, HealthDueSoon, ReasonPromiseSoon},
		{"a kept promise past its time counts for nothing", every14(time.Hour), HealthFacts{Promises: []Promise{{State: PromiseKept, Due: now.Add(-5 * day)}}}, time.UTC, now, HealthOnTrack, ReasonNone},
		{"a promise due tomorrow", every14(time.Hour), HealthFacts{Promises: []Promise{open(now.Add(day))}}, time.UTC, now, HealthDueSoon, ReasonPromiseSoon},
		{"no cadence, touched 29 days ago", Customer{Created: created, LastTouch: now.Add(-29 * day)}, HealthFacts{}, time.UTC, now, HealthOnTrack, ReasonNone},
		{"no cadence, nothing in 31 days", Customer{Created: created, LastTouch: now.Add(-31 * day)}, HealthFacts{}, time.UTC, now, HealthGoingQuiet, ReasonOverdue},
		{"no cadence, nothing in 60 days", Customer{Created: created, LastTouch: now.Add(-60 * day)}, HealthFacts{}, time.UTC, now, HealthNeglected, ReasonSilent},
		{"no cadence is never due a check-in soon", Customer{Created: created, LastTouch: now.Add(-28 * day)}, HealthFacts{}, time.UTC, now, HealthOnTrack, ReasonNone},
		{"a renewal in 14 days", renews(every14(day), 14*day), HealthFacts{}, time.UTC, now, HealthDueSoon, ReasonDateSoon},
		{"a renewal in 15 days", renews(every14(day), 15*day), HealthFacts{}, time.UTC, now, HealthOnTrack, ReasonNone},
		{"a date gone by", renews(every14(day), -2*day), HealthFacts{}, time.UTC, now, HealthOnTrack, ReasonNone},
		{"no zone means UTC", every14(12 * day), HealthFacts{}, nil, now, HealthDueSoon, ReasonCheckinSoon},
	}
	// The time zone case: Friday 4 December 23:30 UTC is already Saturday
	// 00:30 in Paris. A check-in due Monday 7 December 22:30 UTC (23:30 in
	// Paris) is three calendar days ahead in UTC, not soon, and two in
	// Paris, so soon.
	fri := time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC)
	mon := Customer{Cadence: 14 * day, Created: created, LastTouch: time.Date(2026, 12, 7, 22, 30, 0, 0, time.UTC).Add(-14 * day)}
	tests = append(tests,
		healthCase{"Monday night is three days off in UTC", mon, HealthFacts{}, time.UTC, fri, HealthOnTrack, ReasonNone},
		healthCase{"and two in Paris, where it is already Saturday", mon, HealthFacts{}, paris, fri, HealthDueSoon, ReasonCheckinSoon},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, why := tt.c.HealthOf(tt.f, tt.loc, tt.now)
			if h != tt.want || why != tt.reason {
				t.Errorf("HealthOf = %q (%q), want %q (%q)", h, why, tt.want, tt.reason)
			}
		})
	}
}

func TestHealthSeverity(t *testing.T) {
	for i, h := range HealthOrder {
		if h.Severity() != i {
			t.Errorf("%q.Severity() = %d, want %d", h, h.Severity(), i)
		}
	}
	if Health("great").Severity() != -1 {
		t.Error("an unknown health has a severity")
	}
}

func TestTeamHealth(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	const day = 24 * time.Hour
	cs := []Customer{
		{Name: "Acme", Cadence: 14 * day, Created: now.Add(-100 * day), LastTouch: now.Add(-40 * day)},
		{Name: "Globex", Cadence: 14 * day, Created: now.Add(-100 * day), LastTouch: now.Add(-day)},
		{Name: "Initech", Cadence: 14 * day, Created: now.Add(-100 * day), LastTouch: now.Add(-day)},
	}
	heard := map[string]time.Time{"acme": now.Add(-2 * day)}
	promises := []Promise{
		{Customer: "GLOBEX", State: PromiseOpen, Due: now.Add(-3 * day)},
		{Customer: "Initech", State: PromiseCancelled, Due: now.Add(-3 * day)},
		{Customer: "", State: PromiseOpen, Due: now.Add(-3 * day)},
	}
	got := TeamHealth(cs, heard, promises, time.UTC, now)
	want := map[string]Standing{"acme": {HealthGoingQuiet, ReasonOverdue}, "globex": {HealthNeglected, ReasonLatePromise}, "initech": {HealthOnTrack, ReasonNone}}
	for k, h := range want {
		if got[k] != h {
			t.Errorf("%s: %+v, want %+v", k, got[k], h)
		}
	}
}
