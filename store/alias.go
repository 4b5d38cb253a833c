package store

import "github.com/keptbot/kept/model"

// The record types are the model's. These aliases keep callers that still
// say store.Promise compiling while they move to model; new code names
// the model types.
type (
	Promise      = model.Promise
	Event        = model.Event
	State        = model.PromiseState
	Customer     = model.Customer
	Touch        = model.Touch
	Tier         = model.Tier
	Nudge        = model.Nudge
	NudgeKind    = model.NudgeKind
	NudgeState   = model.NudgeState
	Subscription = model.Subscription
	Scope        = model.Scope
	TouchKind    = model.TouchKind
	Policy       = model.Policy
)

// Transition aliases of the model's constants.
const (
	Open      = model.PromiseOpen
	Kept      = model.PromiseKept
	Cancelled = model.PromiseCancelled

	Reminder     = model.NudgeReminder
	OverdueNudge = model.NudgeOverdue
	DigestNudge  = model.NudgeDigest
	Checkin      = model.NudgeCheckin

	NudgeDue     = model.NudgeDue
	NudgeSending = model.NudgeSending
	NudgeSent    = model.NudgeSent
	NudgeFailed  = model.NudgeFailed
	NudgeDropped = model.NudgeDropped

	KeyTier      = model.TierKey
	StandardTier = model.TierStandard

	ScopeAll     = model.ScopeAll
	ScopeMembers = model.ScopeMembers

	TouchCall    = model.TouchCall
	TouchNote    = model.TouchNote
	TouchPromise = model.TouchPromise
	TouchPrompt  = model.TouchPrompt
	TouchMessage = model.TouchMessage
)

// CustomerKey is model.CustomerKey.
func CustomerKey(name string) string { return model.CustomerKey(name) }
