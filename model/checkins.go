package model

import (
	"cmp"
	"slices"
	"time"

	"github.com/keptbot/kept/workhours"
)

// DefaultCheckinsPerDay is how many customers one owner's daily check-in
// message lists unless configured: enough for a morning's calls, few
// enough to be read.
const DefaultCheckinsPerDay = 5

// MaxCheckinsPerDay bounds the setting: each customer takes two blocks of
// a message, and Slack shows at most 50.
const MaxCheckinsPerDay = 20

// PromptAt is when check-in prompt n was meant to go out: the customer's
// next prompt when it was claimed, or, for a prompt queued by a Kept that
// did not record it, when it was queued.
func (n Nudge) PromptAt() time.Time {
	if !n.For.Prompt.IsZero() {
		return n.For.Prompt
	}
	return n.Created
}

// CheckinMeant is the working day prompt n should have reached its owner
// on: the first working hours at or after PromptAt, in the owner's zone.
func CheckinMeant(n Nudge, wh workhours.Hours, loc *time.Location) time.Time {
	return wh.Next(n.PromptAt(), loc)
}

// CheckinLate reports whether prompt n, delivered at now, is late: the
// working day it should have reached its owner on (CheckinMeant) is an
// earlier day than now's, in the owner's zone. A prompt that came due at
// night or on a weekend and goes out when working hours begin is on
// time; one that waited for Kept to come back, or behind a full day's
// list, is late. The day it was meant for is what the message shows.
func CheckinLate(n Nudge, now time.Time, wh workhours.Hours, loc *time.Location) (meant time.Time, late bool) {
	meant = CheckinMeant(n, wh, loc)
	return meant, DayOf(meant, loc).Before(DayOf(now, loc))
}

// CheckinPlan is what becomes of an owner's pending check-in prompts at
// one delivery: those the day's message lists, and those that wait for
// the next working day.
type CheckinPlan struct {
	Send  []Nudge   // the message's rows, the longest waiting first
	Later []Nudge   // held back to Until
	Until time.Time // when working hours begin on the next working day
}

// PlanCheckins gathers one owner's pending check-in prompts ns into the
// day's message, at now within working hours wh in the owner's zone loc.
// An owner gets at most one check-in message a working day, listing at
// most perDay customers (<= 0: DefaultCheckinsPerDay): the prompts that
// waited longest first (PromptAt, then id), the rest held back to the
// next working day, where they lead that day's list. lastSent is when
// the owner's last check-in message went out: if that was today, every
// prompt waits for the next working day.
func PlanCheckins(ns []Nudge, perDay int, lastSent, now time.Time, wh workhours.Hours, loc *time.Location) CheckinPlan {
	if perDay <= 0 {
		perDay = DefaultCheckinsPerDay
	}
	sorted := slices.Clone(ns)
	slices.SortFunc(sorted, func(a, b Nudge) int {
		return cmp.Or(a.PromptAt().Compare(b.PromptAt()), cmp.Compare(a.ID, b.ID))
	})
	plan := CheckinPlan{Until: wh.NextDay(now, loc)}
	if !lastSent.IsZero() && DayOf(lastSent, loc) == DayOf(now, loc) {
		perDay = 0 // today's message went already
	}
	n := min(perDay, len(sorted))
	plan.Send, plan.Later = sorted[:n:n], sorted[n:]
	if len(plan.Later) == 0 {
		plan.Later = nil
	}
	return plan
}
