package inbound

import "errors"

// refusal is an answer that changes nothing and says why: its text is fit
// to show the user as is, and its code names the kind of refusal once, for
// the metrics, whatever the words.
type refusal struct {
	code refusalCode
	text string
}

func (r refusal) Error() string { return r.text }

// refusalCode is the kind of a refusal, a kept_commands_total outcome.
type refusalCode string

// The kinds of refusal. Each is an outcome label of bounded cardinality.
const (
	refusedInvalid     refusalCode = "invalid"     // what was typed cannot be read
	refusedNotFound    refusalCode = "not_found"   // no such promise, customer or user
	refusedForbidden   refusalCode = "forbidden"   // not the caller's to change
	refusedConflict    refusalCode = "conflict"    // already done, or the message is out of date
	refusedLimited     refusalCode = "limited"     // too many, too fast
	refusedUnavailable refusalCode = "unavailable" // Slack could not be asked; try again
)

func invalid(text string) error     { return refusal{refusedInvalid, text} }
func notFound(text string) error    { return refusal{refusedNotFound, text} }
func forbidden(text string) error   { return refusal{refusedForbidden, text} }
func conflict(text string) error    { return refusal{refusedConflict, text} }
func unavailable(text string) error { return refusal{refusedUnavailable, text} }

// errDamagedButton answers a click whose button Kept cannot read: an id
// out of range, a value it never wrote, a choice it never offered. The
// clicker is told, and nothing changes.
var errDamagedButton = invalid("I couldn't read that button (it may be on an old or damaged message), so nothing changed. `/promise list` and my Home tab show where things stand.")

// asRefusal finds the refusal in err, if there is one.
func asRefusal(err error) (refusal, bool) {
	var r refusal
	ok := errors.As(err, &r)
	return r, ok
}
