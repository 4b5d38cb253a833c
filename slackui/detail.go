package slackui

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/store"
)

// PromiseDetail renders `/promise show 42`: what was promised, to whom and
// when, where it came from, what became of it, and its history.
func PromiseDetail(p store.Promise, loc *time.Location, now time.Time) (string, []slack.Block) {
	state := "open, due " + Date(p.Due, now, loc)
	switch {
	case p.State != store.Open:
		state = Outcome(p, loc, now)
	case p.Due.Before(now):
		state = fmt.Sprintf("*open, %s late* (due %s)", Lateness(now.Sub(p.Due)), Date(p.Due, now, loc))
	}
	head := Summary(p) + "\n" + upperFirst(state)
	facts := []string{"Owner " + MentionUser(p.Owner)}
	// As the reminder says it: "recorded by @bob Mon 23 Nov", or "recorded Mon 23 Nov".
	recorded := "recorded "
	if p.Creator != "" && p.Creator != p.Owner {
		recorded += "by " + MentionUser(p.Creator) + " "
	}
	facts = append(facts, recorded+Date(p.Created, now, loc))
	if p.Repeat != "" {
		facts = append(facts, "repeats "+Escape(p.Repeat))
	}
	if strings.HasPrefix(p.Permalink, "https://") {
		facts = append(facts, "<"+p.Permalink+"|source message>")
	}
	blocks := []slack.Block{Section(head), Context(strings.Join(facts, " · "))}
	if len(p.History) > 0 {
		lines := []string{"*History*"}
		for _, e := range p.History {
			lines = append(lines, "• "+Date(e.At, now, loc)+" · "+eventText(e, loc, now))
		}
		blocks = append(blocks, SplitSections(strings.Join(lines, "\n"))...)
	}
	if p.State == store.Open {
		id := PromiseValue(p.ID)
		blocks = append(blocks, Context(fmt.Sprintf("`/promise done %s` · `/promise snooze %s tomorrow` · `/promise edit %s` · `/promise give %s @someone`", id, id, id, id)))
	}
	return fmt.Sprintf("#%d: %s", p.ID, Escape(p.Text)), blocks
}

// eventText says what one history event was, in words.
func eventText(e store.Event, loc *time.Location, now time.Time) string {
	by := ""
	if e.By != "" {
		by = " by " + MentionUser(e.By)
	}
	switch e.Kind {
	case "created":
		return "recorded" + by
	case "kept":
		return "kept" + by + ", " + Escape(e.Detail)
	case "cancelled":
		return "cancelled" + by
	case "snoozed":
		if until, err := time.Parse("until "+time.RFC3339, e.Detail); err == nil {
			return "snoozed" + by + " until " + Date(until, now, loc)
		}
		// Before the model's history, a snooze recorded the time it moved from.
		if from, err := time.Parse("from "+time.RFC3339, e.Detail); err == nil {
			return "snoozed" + by + " (it was due " + Date(from, now, loc) + ")"
		}
	case "moved":
		if f, t, ok := strings.Cut(strings.TrimPrefix(e.Detail, "from "), " to "); ok {
			from, err1 := time.Parse(time.RFC3339, f)
			to, err2 := time.Parse(time.RFC3339, t)
			if err1 == nil && err2 == nil {
				return "moved" + by + " from " + Date(from, now, loc) + " to " + Date(to, now, loc)
			}
		}
	case "reminded":
		if e.Detail == "" {
			return "reminder sent"
		}
	case "overdue":
		if e.Detail == "" {
			return "overdue follow-up sent"
		}
	case "escalated":
		var to []string
		for id := range strings.SplitSeq(e.Detail, ", ") {
			to = append(to, Mention(id))
		}
		return "escalated to " + strings.Join(to, ", ") + ", still open after its overdue follow-up"
	case "reassigned":
		if from, to, ok := strings.Cut(e.Detail, " → "); ok {
			return "handed from " + MentionUser(from) + " to " + MentionUser(to) + by
		}
	}
	text := Escape(string(e.Kind)) + by
	if e.Detail != "" {
		text += ": " + Escape(e.Detail)
	}
	return text
}
