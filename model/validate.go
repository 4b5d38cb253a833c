package model

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/keptbot/kept/duetime"
)

// Limits every path into Kept (slash command, form, shortcut, import)
// holds a record to, through NewPromise, NewCustomer and NewTouch.
const (
	// MaxText bounds a promise, a note and a touch: a promise is a
	// sentence, not a document, and Slack sections stop at 3,000
	// characters.
	MaxText = 2000
	// MaxName bounds a customer name: it is shown in lists, cards and
	// button labels, and 80 characters is a long company name.
	MaxName = 80
	// MinCadence and MaxCadence bound a keep-in-touch cadence: a daily
	// prompt is the most anyone would want, and a relationship checked on
	// less than every two years is not being kept.
	MinCadence = 24 * time.Hour
	MaxCadence = 730 * 24 * time.Hour
)

// The shapes of what Slack makes. Every surface holds ids to them (a
// form, an import file, a rendered mention): a cell that holds
// `U0NOPE> <!channel` is not an id, and shown as one it pings a channel.
var (
	teamID    = regexp.MustCompile(`^T[A-Z0-9]+$`)
	userID    = regexp.MustCompile(`^[UW][A-Z0-9]+$`)
	channelID = regexp.MustCompile(`^[CDG][A-Z0-9]+$`)
	// permalink is what chat.getPermalink returns: a message in a
	// workspace's own slack.com domain, with at most a plain query
	// (?thread_ts=…&cid=…), nothing else to link to.
	permalink = regexp.MustCompile(`^https://[a-z0-9][a-z0-9-]*\.(?:enterprise\.)?slack\.com/archives/[CDG][A-Z0-9]+/p[0-9]{16}(?:\?[A-Za-z0-9_.=&%-]*)?$`)
)

// ValidTeam reports whether id is a Slack workspace id (T…).
func ValidTeam(id string) bool { return teamID.MatchString(id) }

// ValidUser reports whether id is a Slack user id (U… or W…).
func ValidUser(id string) bool { return userID.MatchString(id) }

// ValidChannel reports whether id is a Slack conversation id (C…, G… or
// D…).
func ValidChannel(id string) bool { return channelID.MatchString(id) }

// ValidPermalink reports whether link is a Slack message link, as
// chat.getPermalink makes them.
func ValidPermalink(link string) bool { return permalink.MatchString(link) }

// CheckText refuses an empty text or one over MaxText characters; what
// names the thing in the message ("promise", "note").
func CheckText(field, what, s string) error {
	switch n := utf8.RuneCountInString(s); {
	case strings.TrimSpace(s) == "":
		return invalid(field, "The %s is empty; say in a line what it is.", what)
	case n > MaxText:
		return invalid(field, "That %s is %d characters long; please keep it under %d. Put the details in the source message and link it.", what, n, MaxText)
	}
	return nil
}

// CheckName refuses a customer name that could not be shown or matched
// well: empty, over MaxName characters, or with control characters.
func CheckName(field, name string) error {
	switch n := utf8.RuneCountInString(name); {
	case CustomerKey(name) == "":
		return invalid(field, "The customer name is empty.")
	case n > MaxName:
		return invalid(field, "That customer name is %d characters long; a customer name can be at most %d. Use a short name and put the rest in the notes.", n, MaxName)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return invalid(field, "A customer name can't contain control characters.")
	}
	return nil
}

func checkUser(field, id string, required bool) error {
	if id == "" {
		if required {
			return invalid(field, "The %s is empty; name a Slack user.", field)
		}
		return nil
	}
	if !ValidUser(id) {
		return invalid(field, "%q is not a Slack user id (U… or W…).", id)
	}
	return nil
}

func checkZone(field, zone string) error {
	if zone == "" {
		return nil
	}
	if _, err := duetime.LoadZone(zone); err != nil {
		return invalid(field, "%q is not a time zone I know.", zone)
	}
	return nil
}

// CustomerKey is the key a customer name is matched by: trimmed, inner
// runs of space collapsed to one, control characters dropped and Unicode
// simple case folding applied, so that "ACME  Corp" and "acme corp" are the
// same customer.
func CustomerKey(name string) string {
	if k, ok := asciiKey(name); ok {
		return k
	}
	return foldKey(name)
}

// LookalikeKey is what a customer name looks like, for refusing a new
// customer that would pass for one already there: CustomerKey of the
// name without invisible characters (a zero-width space, a soft hyphen,
// a byte-order mark: Unicode's format characters) and in Unicode
// compatibility form (NFKC), so that "Ａｃｍｅ" (full width), "Acme\u200b"
// and "Cafe\u0301" look like "Acme" and "Café". Names are still matched
// by CustomerKey, which the stores keep; this only keeps lookalikes out.
// LookalikeOf is the customer of cs a new customer called name would pass
// for: one whose name looks the same (LookalikeKey) though it is another
// name (CustomerKey; the same name is the store's to refuse, ErrExists).
// Two such customers could not be told apart in any list.
func LookalikeOf(name string, cs []Customer) (Customer, bool) {
	look, key := LookalikeKey(name), CustomerKey(name)
	for _, c := range cs {
		if c.Key() != key && LookalikeKey(c.Name) == look {
			return c, true
		}
	}
	return Customer{}, false
}

func LookalikeKey(name string) string {
	if k, ok := asciiKey(name); ok {
		return k
	}
	visible := strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	return CustomerKey(norm.NFKC.String(visible))
}

// asciiKey is CustomerKey of a name that is all ASCII with no control
// characters but spaces, where folding is lower-casing, in one pass, and
// without allocating when name is its own key: a large workspace's digest
// computes tens of thousands of keys. ok is false for any other name.
func asciiKey(name string) (key string, ok bool) {
	own, afterSpace := true, true // afterSpace: at the start, or after a space
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 0x80:
			return "", false
		case asciiSpace(c):
			own = own && c == ' ' && !afterSpace
			afterSpace = true
		case c < 0x20 || c == 0x7f:
			return "", false
		default:
			own = own && (c < 'A' || c > 'Z')
			afterSpace = false
		}
	}
	if own && (!afterSpace || name == "") {
		return name, true
	}
	b := make([]byte, 0, len(name))
	gap := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if asciiSpace(c) {
			gap = len(b) > 0
			continue
		}
		if gap {
			b = append(b, ' ')
			gap = false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b), true
}

// asciiSpace is unicode.IsSpace for an ASCII byte.
func asciiSpace(c byte) bool {
	return c == ' ' || ('\t' <= c && c <= '\r')
}

// foldKey is CustomerKey for any name.
func foldKey(name string) string {
	var b strings.Builder
	for i, word := range strings.Fields(name) {
		if i > 0 {
			b.WriteByte(' ')
		}
		for _, r := range word {
			if unicode.IsControl(r) {
				continue
			}
			b.WriteRune(fold(r))
		}
	}
	return b.String()
}

// fold maps r to one member of its case-folding orbit (K, k and the Kelvin
// sign K all become k), as strings.EqualFold compares them.
func fold(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return unicode.ToLower(least)
}

// DisplayName is name trimmed with inner runs of space collapsed: the
// user's spelling, minus what they could not have meant.
func DisplayName(name string) string { return strings.Join(strings.Fields(name), " ") }
