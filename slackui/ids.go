package slackui

import (
	"strconv"
	"strings"

	"github.com/keptbot/kept/store"
)

// The ids Kept puts in its messages (block ids, button and menu values)
// and reads back from clicks, written and read here only, so that the two
// sides cannot drift apart. Their wire form is what Kept has always
// written: buttons on messages already in Slack keep working.

// PromiseBlock names the promise a message's buttons act on, whose it was
// and, for a series, which occurrence, when the message was drawn, so a
// click on an out-of-date message can be told apart: a second Done on the
// reminder of an occurrence already kept must not keep the next one.
type PromiseBlock struct {
	ID    int64
	Owner string
	Home  bool // on the Home tab rather than in a message
	// Series says Occurrence is known: the message is for that
	// occurrence (model.Promise.Occurrence) of a series.
	Series     bool
	Occurrence int
}

// PromiseBlockOf is the block for p's buttons as p stands now.
func PromiseBlockOf(p store.Promise, home bool) PromiseBlock {
	return PromiseBlock{ID: p.ID, Owner: p.Owner, Home: home, Series: p.Repeat != "", Occurrence: p.Occurrence}
}

// String is the block id: promise:ID:OWNER, or home:ID:OWNER; a series
// adds :OCCURRENCE.
func (b PromiseBlock) String() string {
	prefix := "promise:"
	if b.Home {
		prefix = "home:"
	}
	s := prefix + strconv.FormatInt(b.ID, 10) + ":" + b.Owner
	if b.Series {
		s += ":" + strconv.Itoa(b.Occurrence)
	}
	return s
}

// ParsePromiseBlock reads a block id written by PromiseBlock.String. The
// owner may be missing (it is, in very old messages), and so may the
// occurrence (in messages drawn before it was written).
func ParsePromiseBlock(s string) (PromiseBlock, bool) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok || (kind != "promise" && kind != "home") {
		return PromiseBlock{}, false
	}
	idText, rest, _ := strings.Cut(rest, ":")
	owner, occText, series := strings.Cut(rest, ":")
	id, ok := parseID(idText)
	b := PromiseBlock{ID: id, Owner: owner, Home: kind == "home"}
	if series {
		n, err := strconv.Atoi(occText)
		if err != nil || n < 0 {
			return PromiseBlock{}, false
		}
		b.Series, b.Occurrence = true, n
	}
	return b, ok
}

// PromiseValue is the value of a promise's Done button: its id.
func PromiseValue(id int64) string { return strconv.FormatInt(id, 10) }

// SnoozeValue is the value of a snooze menu option: ID:CHOICE.
func SnoozeValue(id int64, choice string) string { return PromiseValue(id) + ":" + choice }

// ParsePromiseValue reads a Done button's or a snooze option's value: the
// promise id, and the choice for a snooze option.
func ParsePromiseValue(v string) (id int64, choice string, ok bool) {
	idText, choice, _ := strings.Cut(v, ":")
	id, ok = parseID(idText)
	return id, choice, ok
}

// CheckinBlock is the block id of a check-in prompt's buttons: the
// prompt's nudge, which names its customer.
func CheckinBlock(nudge int64) string { return "checkin:" + strconv.FormatInt(nudge, 10) }

// ParseCheckinBlock reads a block id written by CheckinBlock.
func ParseCheckinBlock(s string) (nudge int64, ok bool) {
	idText, found := strings.CutPrefix(s, "checkin:")
	if !found {
		return 0, false
	}
	return parseID(idText)
}

// removeBlock is the block id of the customer removal confirmation.
const removeBlock = "customer_remove"

func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
