package slackui

import (
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
)

// The follow-up offer: after a touch that calls for one (a problem
// solved, a sale closed), the customer's owner is offered the promise to
// follow up. Nothing is recorded unless they click.
const (
	ActionOfferAccept = "offer_accept"
	ActionOfferChange = "offer_change"
)

// FollowupOffer renders the DM offering owner the follow-up o, queued as
// nudge; its buttons carry the nudge id, which is also what makes a
// second click record nothing more.
func FollowupOffer(o model.Offer, nudge int64, owner string, loc *time.Location, now time.Time) (string, []slack.Block) {
	who := MentionUser(o.TouchBy) + " logged"
	if o.TouchBy == owner {
		who = "You logged"
	}
	head := fmt.Sprintf("🔁 *Follow up with %s?* %s *%s* %s", Escape(o.Customer), who, Escape(string(o.Kind)), Day(o.TouchAt, now, loc))
	if o.Note != "" {
		head += ": “" + Escape(o.Note) + "”"
	}
	head += "."
	ask := fmt.Sprintf("Shall I promise it for you? *%s*, due %s.", Escape(o.Text), Date(o.Due, now, loc))
	fallback := FitPlain(fmt.Sprintf("Follow up with %s? %s, due %s.", Escape(o.Customer), Escape(o.Text), PlainDate(o.Due, now, loc)), 1000)
	id := strconv.FormatInt(nudge, 10)
	accept := Button(ActionOfferAccept, id, "Promise it")
	accept.Style = slack.StylePrimary
	blocks := append(SplitSections(head), SplitSections(ask)...)
	blocks = append(blocks,
		slack.NewActionBlock("offer_"+id, accept, Button(ActionOfferChange, id, "Change…")),
		Context("Nothing is recorded unless you click."))
	return fallback, Bound(blocks, MaxMessageBlocks, "")
}

// OfferAnnounced is what the confirmation of a touch adds when it called
// for a follow-up (o nil: nothing): who will be offered it, and when.
func OfferAnnounced(o *model.Offer, owner, user string, loc *time.Location, now time.Time) string {
	if o == nil {
		return ""
	}
	who := "you"
	if owner != user {
		who = MentionUser(owner) + ", who owns it,"
	}
	return fmt.Sprintf(" I'll offer %s a follow-up in a DM: *%s*, %s.", who, Escape(o.Text), Day(o.Due, now, loc))
}
