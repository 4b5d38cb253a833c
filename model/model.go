// Package model is Kept's domain: promises, customers, touches and the
// nudges Kept owes people, with the rules of their lives. It does no I/O
// and knows nothing of Slack or of storage: a store remembers what these
// transitions decide, a Slack surface shows it.
//
// Enumerations are typed strings named after their type, without a
// trailing Kind or State: PromiseOpen (PromiseState), EventKept
// (EventKind), NudgeReminder (NudgeKind), NudgeDue (NudgeState), TierKey,
// ScopeAll, TouchCall. Their values are what is stored; do not rename them.
package model

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotOpen is returned by a transition on a promise that is already kept
// or cancelled.
var ErrNotOpen = errors.New("model: promise is not open")

// ValidationError says which field of a record is wrong and why, in words
// fit to show the person who typed it.
type ValidationError struct {
	Field   string // "text", "customer", "owner", ...
	Problem string // a sentence, ending with a full stop
}

func (e *ValidationError) Error() string { return e.Problem }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// later is the later of two instants.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}
