package slackui

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/model"
)

// DigestBlocks renders d: a fallback for notifications and the Block Kit.
// Each list stops at digestRows rows or Slack's 3,000 characters a text,
// whichever comes first, and says how many more the App Home has; the
// whole stays under 20 KB, so it also fits a slash command's ack.
func DigestBlocks(d digest.Digest, loc *time.Location) (string, []slack.Block) {
	scope := "the whole workspace"
	if d.Members {
		scope = "this channel's members"
	}
	blocks := []slack.Block{
		Header("Kept digest"),
		Context(fmt.Sprintf("For %s · %s", scope, Date(d.Now, d.Now, loc))),
	}
	if d.Empty() {
		text := "🌤️ Nothing to report: nobody is going quiet, no promise is late, and nothing was due or logged in the last two weeks."
		return "Kept digest: nothing to report.", append(blocks, Section(text))
	}

	quiet := func(i int) string {
		r := d.Quiet[i]
		cadence := "every " + Plural(days(r.Cadence), "day")
		if !r.Touched {
			return fmt.Sprintf("• %s · %s%s · *never touched*, added %s ago, %s", customerName(r), MentionUser(r.Owner), rowHealth(r), Plural(days(r.Since), "day"), cadence) + heardSuffix(r.Heard, d.Now)
		}
		return fmt.Sprintf("• %s · %s%s · *%s* since the last touch, %s", customerName(r), MentionUser(r.Owner), rowHealth(r), Plural(days(r.Since), "day"), cadence) + heardSuffix(r.Heard, d.Now)
	}
	silent := func(i int) string {
		r := d.Silent[i]
		if !r.Touched {
			return fmt.Sprintf("• %s · %s%s · never touched, added %s ago", customerName(r), MentionUser(r.Owner), rowHealth(r), Plural(days(r.Since), "day")) + heardSuffix(r.Heard, d.Now)
		}
		return fmt.Sprintf("• %s · %s%s · last touch %s ago", customerName(r), MentionUser(r.Owner), rowHealth(r), Plural(days(r.Since), "day")) + heardSuffix(r.Heard, d.Now)
	}
	late := func(i int) string {
		r := d.Late[i]
		line := "• " + MentionUser(r.Owner) + " · "
		if r.Customer != "" {
			line += "*" + Escape(Clip(r.Customer, digestNameMax)) + "* · "
		}
		line += fmt.Sprintf("“%s” · *%s late* (#%d)", Unmentioned(Clip(r.Text, digestTextMax)), Lateness(d.Now.Sub(r.Due)), r.ID)
		if !r.MovedFrom.IsZero() {
			line += " · moved from " + Date(r.MovedFrom, d.Now, loc)
		}
		if r.Escalated {
			line += " · 📣 escalated"
		}
		return line
	}

	waiting := func(i int) string {
		r := d.Waiting[i]
		return fmt.Sprintf("• *%s* · %s · %s wrote in %s %s ago", Escape(Clip(r.Customer, digestNameMax)), MentionUser(r.Owner), MentionUser(r.By), MentionChannel(r.Channel), HoursOrDays(d.Now.Sub(r.At)))
	}
	if len(d.Quiet)+len(d.Silent)+len(d.Late)+len(d.Waiting) == 0 {
		blocks = append(blocks, Section("✅ Nobody is going quiet and no promise is late."))
	}
	for _, s := range []struct {
		title string
		n     int
		line  func(int) string
	}{
		{"🔕 *Going quiet* — past their keep-in-touch cadence", len(d.Quiet), quiet},
		{"🕳️ *Nothing in 30 days*", len(d.Silent), silent},
		{"⏰ *Late promises*", len(d.Late), late},
		{WaitingMark + " *Waiting on us* — customers' messages nobody on our side has answered", len(d.Waiting), waiting},
	} {
		if s.n > 0 {
			blocks = append(blocks, slack.NewDividerBlock(), Section(listText(s.title, s.n, s.line, teamViewRef(d.TeamView))))
		}
	}
	blocks = append(blocks, slack.NewDividerBlock(), Section(weekText(d.Week, d.Before)))

	var parts []string
	if n := len(d.Quiet); n > 0 {
		parts = append(parts, Plural(n, "customer")+" going quiet")
	}
	if n := len(d.Silent); n > 0 {
		parts = append(parts, Plural(n, "customer")+" with nothing in 30 days")
	}
	if n := len(d.Late); n > 0 {
		parts = append(parts, Plural(n, "late promise"))
	}
	if n := len(d.Waiting); n > 0 {
		parts = append(parts, Plural(n, "message")+" waiting on us")
	}
	if len(parts) == 0 {
		parts = append(parts, "nobody going quiet, nothing late")
	}
	return "Kept digest: " + strings.Join(parts, ", ") + "; " + keptSummary(d.Week) + ".", blocks
}

// listText is a titled list of n rows, cut at digestRows rows or when the
// next row would break Slack's 3,000 characters or the digest's share of
// the 20 KB ack, with how many were left out. Rows are rendered only when
// shown: a neglected workspace has thousands.
func listText(title string, n int, line func(int) string, teamView string) string {
	const (
		maxChars = 2800 // Slack's 3,000, less the "and N more" line
		maxWire  = 4000 // bytes of JSON, see wireLen
	)
	var b strings.Builder
	b.WriteString(title)
	chars, wire := utf8.RuneCountInString(title), wireLen(title)
	shown := 0
	for i := range min(n, digestRows) {
		l := line(i)
		if chars+1+utf8.RuneCountInString(l) > maxChars || wire+1+wireLen(l) > maxWire {
			break
		}
		b.WriteString("\n" + l)
		chars += 1 + utf8.RuneCountInString(l)
		wire += 1 + wireLen(l)
		shown++
	}
	if more := n - shown; more > 0 {
		fmt.Fprintf(&b, "\n_…and %d more — see App Home, in the %s._", more, teamView)
	}
	return b.String()
}

// teamViewRef names the team view, linked when its address is known.
func teamViewRef(link string) string {
	if strings.HasPrefix(link, "slack://app?") && !strings.ContainsAny(link, "<>|") {
		return "<" + link + "|team view>"
	}
	return "team view"
}

// TeamViewLink is the address of Kept's App Home in team for app, where
// a lead opens the team view; "" if either is unknown.
func TeamViewLink(team, app string) string {
	if team == "" || app == "" {
		return ""
	}
	return "slack://app?team=" + url.QueryEscape(team) + "&id=" + url.QueryEscape(app) + "&tab=home"
}

// wireLen is about how many bytes s takes in the JSON slack-go sends:
// its encoder writes <, > and & as six-byte \u escapes.
func wireLen(s string) int {
	return len(s) + 5*strings.Count(s, "<") + 5*strings.Count(s, ">") + 5*strings.Count(s, "&") + strings.Count(s, `"`) + strings.Count(s, "\n")
}

// weekText is "Our week": what became of the promises due in it, and the
// touches logged, each against the week before.
func weekText(w, before digest.WeekStats) string {
	var b strings.Builder
	b.WriteString("📈 *Our week* — the last 7 days\n")
	if w.Due == 0 {
		b.WriteString("• No promise was due.")
	} else {
		fmt.Fprintf(&b, "• *%d of %d* promises due were kept on time", w.OnTime, w.Due)
		if w.KeptLate > 0 {
			fmt.Fprintf(&b, ", %d kept late", w.KeptLate)
		}
		if w.Open > 0 {
			fmt.Fprintf(&b, ", %d still open", w.Open)
		}
		b.WriteString(".")
		if w.Moved > 0 {
			fmt.Fprintf(&b, " %s moved to a new time.", Plural(w.Moved, "promise"))
		}
	}
	if before.Due > 0 {
		fmt.Fprintf(&b, " The week before: %d of %d on time.", before.OnTime, before.Due)
	}
	if w.Touches == 0 && before.Touches == 0 {
		b.WriteString("\n• No touches logged, nor the week before.")
		return b.String()
	}
	fmt.Fprintf(&b, "\n• %s logged", touchCount(w.Touches))
	switch diff := w.Touches - before.Touches; {
	case diff > 0:
		fmt.Fprintf(&b, ", %d more than the week before (%d).", diff, before.Touches)
	case diff < 0:
		fmt.Fprintf(&b, ", %d fewer than the week before (%d).", -diff, before.Touches)
	default:
		b.WriteString(", as many as the week before.")
	}
	return b.String()
}

func keptSummary(w digest.WeekStats) string {
	if w.Due == 0 {
		return "no promise was due this week"
	}
	return fmt.Sprintf("%d of %d kept on time this week", w.OnTime, w.Due)
}

// rowHealth is " · " and the row's health (HealthMark), or nothing if
// unknown.
func rowHealth(r digest.CustomerRow) string {
	if b := HealthMark(model.Standing{Health: r.Health, Why: r.Why}); b != "" {
		return " · " + b
	}
	return ""
}

func customerName(r digest.CustomerRow) string {
	s := "*" + Escape(Clip(r.Name, digestNameMax)) + "*"
	if r.Key {
		s += " (key)"
	}
	return s
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// Clip shortens s to max characters, marking the cut.
func Clip(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit-1]) + "…"
}

func touchCount(n int) string {
	if n == 1 {
		return "1 touch"
	}
	return fmt.Sprintf("%d touches", n)
}

const (
	// digestRows is how many rows a list shows before "and N more": a
	// digest is read in a minute, the Home tab has the rest.
	digestRows = 10
	// Longest customer name and promise text a row shows, in characters.
	digestNameMax = 60
	digestTextMax = 80
)

// heardSuffix is " · heard from them 2 days ago" for a digest line, or
// nothing if the customer never wrote in its channels.
func heardSuffix(heard, now time.Time) string {
	if heard.IsZero() {
		return ""
	}
	return " · heard from them " + HoursOrDays(now.Sub(heard)) + " ago"
}
