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

// asRefusal finds the refusal in err, if there is one.
func asRefusal(err error) (refusal, bool) {
	var r refusal
	ok := errors.As(err, &r)
	return r, ok
}
