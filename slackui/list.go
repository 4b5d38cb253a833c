package slackui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/store"
)

// ActionListMore is the "Next page" button of `/promise list`.
const ActionListMore = "promise_list_more"

// ListPageSize is how many promises one page of `/promise list` shows: a
// page reads at a glance and stays far under Slack's limits.
const ListPageSize = 20

// ListPage is one page of `/promise list`.
type ListPage struct {
	Title string          // "Your open promises", with the filter in words
	Shown []store.Promise // this page, in order
	Total int             // how many match, on all pages
	// Empty is what an empty list says (ListEmpty); "" for the caller's
	// whole list, which says how to record one.
	Empty  string
	Offset int // how many pages before this one held
	// More is the Next page button's value (ListCursor.String); "" on
	// the last page.
	More string
}

// NothingOpen is the fallback text of a list with nothing in it.
const NothingOpen = "Nothing open."

// PromiseList renders a page of `/promise list`: each promise with its due
// time (⚠️ when it is past), and a button for the next page.
func PromiseList(page ListPage, loc *time.Location, now time.Time) (string, []slack.Block) {
	if page.Total == 0 {
		text := "Nothing open. Record one with `/promise Acme: call back tomorrow 3pm`."
		if page.Title != yourTitle && page.Empty != "" {
			text = page.Empty
		}
		return NothingOpen, []slack.Block{Section(text)}
	}
	lines := make([]string, 0, len(page.Shown)+1)
	head := fmt.Sprintf("*%s (%d)*", page.Title, page.Total)
	if page.Offset > 0 || page.More != "" {
		head += fmt.Sprintf(", %d to %d", page.Offset+1, page.Offset+len(page.Shown))
	}
	lines = append(lines, head)
	for _, p := range page.Shown {
		lines = append(lines, listLine(p, page.Title, loc, now))
	}
	blocks := SplitSections(strings.Join(lines, "\n"))
	if page.More != "" {
		next := Button(ActionListMore, page.More, "Next page")
		blocks = append(blocks, slack.NewActionBlock("promise_list", next))
	}
	return fmt.Sprintf("%s: %d open.", page.Title, page.Total), Bound(blocks, MaxMessageBlocks, "")
}

// listLine is one promise of a list, its texts clipped (ListSummary).
func listLine(p store.Promise, title string, loc *time.Location, now time.Time) string {
	mark := "•"
	if p.Due.Before(now) {
		mark = "⚠️"
	}
	line := fmt.Sprintf("%s %s · due %s", mark, ListSummary(p), Date(p.Due, now, loc))
	if title != yourTitle {
		line += " · " + MentionUser(p.Owner)
	}
	return line
}

// ListPageEnd is where the page of ps from offset ends: at ListPageSize
// promises, or sooner when their lines would outweigh what one slash
// command's answer may carry (long texts full of escaped characters).
func ListPageEnd(ps []store.Promise, offset int, title string, loc *time.Location, now time.Time) int {
	end, wire := offset, 0
	for end < len(ps) && end-offset < ListPageSize {
		w := wireLen(listLine(ps[end], title, loc, now)) + 1
		if end > offset && wire+w > pageWire {
			break
		}
		wire += w
		end++
	}
	return end
}

// yourTitle is the title of the list of the caller's own promises, which
// need not say whose each one is.
const yourTitle = "Your open promises"

// ListTitle says in words what a list shows: whose, for which customer,
// only the overdue ones.
func ListTitle(q ListQuery, caller string) string {
	var t string
	switch {
	case q.ByMe:
		t = "Open promises you recorded for others"
	case q.Owner == "" && q.Customer != "":
		t = "Open promises"
	case q.Owner == "" || q.Owner == caller:
		t = yourTitle
	default:
		t = "Open promises of " + MentionUser(q.Owner)
	}
	if q.Customer != "" {
		t += " for " + Escape(q.Customer)
	}
	if q.Overdue {
		t += ", overdue"
	}
	return t
}

// ListEmpty says in a sentence that nothing matches q, asked by caller:
// "You have no overdue promises.", "@bob has no open promises for Acme."
func ListEmpty(q ListQuery, caller string) string {
	what := "open promises"
	if q.Overdue {
		what = "overdue promises"
	}
	if q.Customer != "" {
		what += " for " + Escape(q.Customer)
	}
	switch {
	case q.ByMe:
		return "No " + what + " that you recorded for others."
	case q.Owner == "" && q.Customer != "":
		return "No " + what + "."
	case q.Owner == "" || q.Owner == caller:
		return "You have no " + what + "."
	}
	return MentionUser(q.Owner) + " has no " + what + "."
}

// ListQuery is what `/promise list` was asked for.
type ListQuery struct {
	Owner    string // whose; "" with a Customer means everyone's
	ByMe     bool   // recorded by the caller for someone else
	Customer string
	Overdue  bool
}

// ListCursor is where the next page of a list starts: the query and the
// offset, carried in the Next page button's value.
type ListCursor struct {
	Query  ListQuery
	Offset int
}

// String is the button value: offset, flags, owner and customer.
func (c ListCursor) String() string {
	flags := ""
	if c.Query.ByMe {
		flags += "b"
	}
	if c.Query.Overdue {
		flags += "o"
	}
	return strings.Join([]string{strconv.Itoa(c.Offset), flags, c.Query.Owner, c.Query.Customer}, "|")
}

// ParseListCursor reads a value written by ListCursor.String.
func ParseListCursor(v string) (ListCursor, bool) {
	parts := strings.SplitN(v, "|", 4)
	if len(parts) != 4 {
		return ListCursor{}, false
	}
	off, err := strconv.Atoi(parts[0])
	if err != nil || off < 0 {
		return ListCursor{}, false
	}
	return ListCursor{Offset: off, Query: ListQuery{
		ByMe:     strings.Contains(parts[1], "b"),
		Overdue:  strings.Contains(parts[1], "o"),
		Owner:    parts[2],
		Customer: parts[3],
	}}, true
}
