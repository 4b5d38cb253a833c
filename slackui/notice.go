package slackui

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// ChangeNotice tells the creator of p what someone else did to it: the
// events (kept, moved, handed over, cancelled) of one change, as p now
// stands.
func ChangeNotice(p store.Promise, events []model.Event, loc *time.Location, now time.Time) (string, []slack.Block) {
	var lines, short []string
	for _, e := range events {
		line, word := noticeLine(e, loc, now)
		lines = append(lines, line)
		short = append(short, word)
	}
	head := fmt.Sprintf("%s, which you recorded:\n%s", Summary(p), strings.Join(lines, "\n"))
	fallback := fmt.Sprintf("#%d, which you recorded: %s", p.ID, strings.Join(short, ", "))
	blocks := append(SplitSections(head), Context(fmt.Sprintf("Owner now: %s · `/promise show %d` has its history.", MentionUser(p.Owner), p.ID)))
	return fallback, Bound(blocks, MaxMessageBlocks, "")
}

// noticeLine is one event of a change notice, and a word for it.
func noticeLine(e model.Event, loc *time.Location, now time.Time) (string, string) {
	by := MentionUser(e.By)
	switch e.Kind {
	case model.EventKept:
		return "✅ " + by + " kept it, " + Escape(e.Detail) + ".", "kept by " + by
	case model.EventCancelled:
		return "🚫 " + by + " cancelled it: nobody will be reminded.", "cancelled by " + by
	case model.EventMoved:
		f, t, ok := strings.Cut(strings.TrimPrefix(e.Detail, "from "), " to ")
		from, err1 := time.Parse(time.RFC3339, f)
		to, err2 := time.Parse(time.RFC3339, t)
		if !ok || err1 != nil || err2 != nil {
			return "📅 " + by + " moved it.", "moved by " + by
		}
		return "📅 " + by + " moved it to " + Date(to, now, loc) + " (it was promised for " + Date(from, now, loc) + ").", "moved by " + by
	case model.EventReassigned:
		if from, to, ok := strings.Cut(e.Detail, " → "); ok {
			return "➡️ " + by + " handed it from " + MentionUser(from) + " to " + MentionUser(to) + ".", "handed to " + MentionUser(to)
		}
	}
	return Escape(string(e.Kind)) + " by " + by + ".", Escape(string(e.Kind))
}

// HandoverNotice tells a customer's new owner that by handed it to them,
// with where it stands, so they can pick up the relationship.
func HandoverNotice(c store.Customer, by string, loc *time.Location, now time.Time) (string, []slack.Block) {
	head := fmt.Sprintf("🤝 %s handed *%s* to you: it is yours to keep in touch with now.", MentionUser(by), Escape(c.Name))
	facts := []string{string(c.Tier) + " customer", CadenceText(c.Cadence), TouchState(c, loc, now)}
	if c.LastNote != "" {
		facts = append(facts, "last note: “"+Note(c.LastNote, listTextMax)+"”")
	}
	fallback := fmt.Sprintf("%s handed %s to you", MentionUser(by), Escape(c.Name))
	blocks := []slack.Block{Section(head), Context(strings.Join(facts, " · ")), Context("`/customer " + Escape(c.Name) + "` shows its card and its open promises.")}
	return fallback, Bound(blocks, MaxMessageBlocks, "")
}
