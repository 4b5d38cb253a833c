package slackui

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// Escalation is the message a lead (or a channel) gets when a promise is
// still open well after its overdue follow-up: what was promised, to
// whom, how late, whose it is, and the customer's last touch, so the lead
// can ask the right question of the right person.
func Escalation(p store.Promise, c store.Customer, loc *time.Location, now time.Time) (string, []slack.Block) {
	late := Lateness(now.Sub(p.Due))
	owner := MentionUser(p.Owner)
	head := fmt.Sprintf("📣 *A promise is slipping: %s late.* %s\nIt is %s's, and still open after its reminder and its overdue follow-up.", late, Summary(p), owner)
	fallback := fmt.Sprintf("Escalated: #%d, %s late, owned by %s", p.ID, late, owner)
	blocks := append(SplitSections(head), Context(details(p, loc, now)...))
	if c.Name != "" {
		line := "*" + Escape(c.Name) + "* · " + string(c.Tier) + " customer · owner " + MentionUser(c.Owner)
		if c.LastTouch.IsZero() {
			line += " · never touched"
		} else {
			line += " · last touch " + Date(c.LastTouch, now, loc)
			if c.LastNote != "" {
				line += ": “" + Note(c.LastNote, listTextMax) + "”"
			}
		}
		blocks = append(blocks, Context(line))
	}
	blocks = append(blocks, Context(fmt.Sprintf("%s has been told that you know. `/promise show %d` has its history.", owner, p.ID)))
	return fallback, Bound(blocks, MaxMessageBlocks, "")
}

// Escalated tells the owner that their promise was escalated, to whom,
// with the buttons to keep, snooze or hand it over.
func Escalated(p store.Promise, loc *time.Location, now time.Time) (string, []slack.Block) {
	told := "your lead"
	if names := escalatedTo(p); len(names) > 0 {
		told = strings.Join(names, ", ")
	}
	head := fmt.Sprintf("📣 *Escalated to %s, %s late.* %s\nKeep it, or tell the customer a new time and move it (`/promise move %d friday 5pm`).", told, Lateness(now.Sub(p.Due)), Summary(p), p.ID)
	fallback := fmt.Sprintf("Escalated: #%d %s", p.ID, Escape(Clip(p.Text, listTextMax)))
	blocks := append(SplitSections(head), Context(details(p, loc, now)...))
	if p.State == store.Open {
		blocks = append(blocks, actions(p))
	}
	return fallback, Bound(blocks, MaxMessageBlocks, "")
}

// escalatedTo is who the last escalation in p's history told, as
// mentions.
func escalatedTo(p store.Promise) []string {
	for i := len(p.History) - 1; i >= 0; i-- {
		if e := p.History[i]; e.Kind == model.EventEscalated {
			var out []string
			for id := range strings.SplitSeq(e.Detail, ", ") {
				out = append(out, Mention(id))
			}
			return out
		}
	}
	return nil
}

// Mention is a user or a channel id as Slack shows it (MentionUser,
// MentionChannel); anything else is shown escaped, never as markup.
func Mention(id string) string {
	if model.ValidChannel(id) {
		return MentionChannel(id)
	}
	return MentionUser(id)
}
