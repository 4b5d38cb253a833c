package slackui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/store"
)

// What Kept says about customer channels (issue 15): the offer to track a
// promise someone wrote there, the question after Kept is added to a
// shared channel, and the "waiting on us" DM. None of it is ever posted
// where the customer could see it: offers are ephemeral to their writer,
// the rest are DMs.

const (
	ActionSuggestTrack   = "suggest_track"
	ActionSuggestChange  = "suggest_change"
	ActionSuggestDismiss = "suggest_dismiss"
	ActionLinkChannel    = "link_channel" // a button: link to the suggested customer
	ActionLinkPick       = "link_pick"    // a menu of customers
	ActionLinkNone       = "link_none"    // not a customer channel
	ActionWaitHandled    = "wait_handled" // the owner dealt with it elsewhere
	ActionWaitPromise    = "wait_promise" // open the promise form for it
	maxSuggestTask       = 300            // characters of the task carried in a button value
	maxLinkOptions       = 100            // Slack's limit on a static select
	suggestionFooter     = "Only you can see this. Turn these offers off with `/promise suggestions off`."
)

// Suggestion is what Kept understood of a promise written in a customer
// channel, carried in the offer's buttons so that a click records exactly
// what was shown, and nothing is stored before it.
type Suggestion struct {
	Task     string `json:"w"`
	Due      int64  `json:"d"` // Unix seconds
	Customer string `json:"k,omitempty"`
	Channel  string `json:"c"`
	TS       string `json:"t"`
	Zone     string `json:"z,omitempty"`
	// For is who wrote the message, to whom alone the offer is shown;
	// empty in offers drawn before it was written.
	For string `json:"u,omitempty"`
}

// Encode is the button value; Decode reads it back.
func (s Suggestion) Encode() string {
	s.Task = Truncate(s.Task, maxSuggestTask)
	b, _ := json.Marshal(s)
	return string(b)
}

// DecodeSuggestion reads a button value written by Encode.
func DecodeSuggestion(v string) (Suggestion, error) {
	var s Suggestion
	if err := json.Unmarshal([]byte(v), &s); err != nil || s.Task == "" || s.Due == 0 || s.Channel == "" || s.TS == "" {
		return Suggestion{}, fmt.Errorf("slackui: not a suggestion: %q", v)
	}
	return s, nil
}

// SuggestionOffer is the ephemeral offer to track s, with its due time in
// the writer's zone loc.
func SuggestionOffer(s Suggestion, loc *time.Location, now time.Time) (string, []slack.Block) {
	due := time.Unix(s.Due, 0)
	what := "*" + Escape(s.Task) + "*"
	if s.Customer != "" {
		what += " for *" + Escape(s.Customer) + "*"
	}
	text := fmt.Sprintf("That sounds like a promise: %s, due %s (your time). Want me to track it?", what, PlainDate(due, now, loc))
	v := s.Encode()
	track := slack.NewButtonBlockElement(ActionSuggestTrack, v, Plain("Track it"))
	track.Style = slack.StylePrimary
	change := slack.NewButtonBlockElement(ActionSuggestChange, v, Plain("Change…"))
	dismiss := slack.NewButtonBlockElement(ActionSuggestDismiss, v, Plain("No thanks"))
	fallback := fmt.Sprintf("That sounds like a promise: %s, due %s. Track it?", Escape(s.Task), PlainDate(due, now, loc))
	return fallback, []slack.Block{
		Section(text),
		slack.NewActionBlock("suggest", track, change, dismiss),
		Context(suggestionFooter),
	}
}

// ChannelQuestion asks the person who added Kept to a channel shared with
// another organisation which customer it is for, suggesting one by name.
func ChannelQuestion(channel string, suggested string, customers []store.Customer) (string, []slack.Block) {
	text := fmt.Sprintf("Thanks for adding me to %s, which is shared with another organisation. Which customer is it? Once it is linked, what our side writes there counts as a touch, and I'll tell the owner when the customer is waiting on us. I never post anything there that they can see.", MentionChannel(channel))
	blocks := []slack.Block{Section(text)}
	var els []slack.BlockElement
	if suggested != "" {
		b := slack.NewButtonBlockElement(ActionLinkChannel, channel+"|"+suggested, Plain(Truncate("It's "+suggested, 75)))
		b.Style = slack.StylePrimary
		els = append(els, b)
	}
	var opts []*slack.OptionBlockObject
	for _, c := range customers {
		if len(opts) == maxLinkOptions {
			break
		}
		opts = append(opts, slack.NewOptionBlockObject(channel+"|"+Truncate(c.Name, 70), Plain(Truncate(c.Name, 75)), nil))
	}
	if len(opts) > 0 {
		els = append(els, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, Plain("Another customer…"), ActionLinkPick, opts...))
	}
	els = append(els, slack.NewButtonBlockElement(ActionLinkNone, channel, Plain("Not a customer channel")))
	blocks = append(blocks, slack.NewActionBlock("link", els...),
		Context(fmt.Sprintf("You can also link it later with `/customer link NAME %s`.", MentionChannel(channel))))
	return "Which customer is this channel for?", blocks
}

// WaitRef is the value of a waiting DM's buttons: the wait's channel,
// thread and the message that started it, so that a click on an old DM
// acts on its own wait and not on a newer one in the same place.
func WaitRef(w store.Wait) string { return w.Channel + "|" + w.Thread + "|" + w.TS }

// ParseWaitRef reads WaitRef's value; ts is "" in a DM sent before it
// named its message.
func ParseWaitRef(v string) (channel, thread, ts string) {
	channel, rest, _ := strings.Cut(v, "|")
	thread, ts, _ = strings.Cut(rest, "|")
	return channel, thread, ts
}

// WaitingDM tells the owner that the customer wrote in a linked channel
// and nobody on our side has answered: who wrote what, how long ago, with
// a way to promise a follow-up or say it was handled.
func WaitingDM(w store.Wait, loc *time.Location, now time.Time) (string, []slack.Block) {
	ago := DaysText(now.Sub(w.At))
	if now.Sub(w.At) < 24*time.Hour {
		ago = HoursText(now.Sub(w.At))
	}
	where := MentionChannel(w.Channel)
	if w.Thread != "" {
		where = "a thread in " + where
	}
	text := fmt.Sprintf("*%s* is waiting on us: %s wrote in %s %s ago and nobody on our side has answered.", Escape(w.Customer), MentionUser(w.By), where, ago)
	blocks := []slack.Block{Section(text)}
	if w.Excerpt != "" {
		quote := "> " + Escape(w.Excerpt)
		if w.Link != "" {
			quote += "\n<" + w.Link + "|Open the message>"
		}
		blocks = append(blocks, Section(quote))
	} else if w.Link != "" {
		blocks = append(blocks, Section("<"+w.Link+"|Open the message>"))
	}
	ref := WaitRef(w)
	promise := slack.NewButtonBlockElement(ActionWaitPromise, ref, Plain("Promise a follow-up"))
	promise.Style = slack.StylePrimary
	handled := slack.NewButtonBlockElement(ActionWaitHandled, ref, Plain("Handled"))
	blocks = append(blocks, slack.NewActionBlock("wait", promise, handled),
		Context("This goes away by itself when someone on our side answers there. Written at "+PlainDate(w.At, now, loc)+" your time."))
	return fmt.Sprintf("%s is waiting on us: a message in the shared channel %s ago.", Escape(w.Customer), ago), blocks
}

// HoursOrDays is HoursText under a day, DaysText above.
func HoursOrDays(d time.Duration) string {
	if d < 24*time.Hour {
		return HoursText(d)
	}
	return DaysText(d)
}

// HoursText is "3 hours", "1 hour", "45 minutes".
func HoursText(d time.Duration) string {
	switch h := int(d / time.Hour); {
	case h == 1:
		return "1 hour"
	case h > 1:
		return fmt.Sprintf("%d hours", h)
	}
	m := int(d / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// ListenLines are the card's lines about customer channels: where it is
// linked, when the customer was last heard from, what is waiting on us.
func ListenLines(channels []string, heard store.Heard, waits []store.Wait, loc *time.Location, now time.Time) []string {
	var lines []string
	if len(channels) > 0 {
		s := "Channels:"
		for i, c := range channels {
			if i > 0 {
				s += ","
			}
			s += " " + MentionChannel(c)
		}
		lines = append(lines, s)
	}
	if !heard.At.IsZero() {
		lines = append(lines, fmt.Sprintf("Last heard from: %s (%s in %s)", HeardText(heard.At, now, loc), MentionUser(heard.By), MentionChannel(heard.Channel)))
	}
	for _, w := range waits {
		lines = append(lines, fmt.Sprintf("%s Waiting on us since %s: %s in %s%s", WaitingMark, PlainDate(w.At, now, loc), MentionUser(w.By), MentionChannel(w.Channel), excerptSuffix(w.Excerpt)))
	}
	return lines
}

// WaitingMark marks what waits on us, the same on the card, in
// `/customer list`, on the Home tab, in the team view and the digest.
const WaitingMark = "⏳"

func excerptSuffix(s string) string {
	if s == "" {
		return ""
	}
	return ": “" + Escape(s) + "”"
}

// HeardText says when: "today", "yesterday", "5 days ago".
func HeardText(at, now time.Time, loc *time.Location) string {
	d := now.Sub(at)
	switch {
	case d < 24*time.Hour && at.In(loc).YearDay() == now.In(loc).YearDay():
		return "today"
	case d < 48*time.Hour:
		return "yesterday"
	}
	return DaysText(d) + " ago"
}

// PromiseModalFilled is the promise form filled in: the customer, what was
// promised and when, due in the owner's zone (the pickers show due's wall
// clock).
func PromiseModalFilled(user, customer, text string, due time.Time, meta string) slack.ModalViewRequest {
	v := PromiseModal(user, Truncate(text, MaxText), due, meta)
	for _, blk := range v.Blocks.BlockSet {
		in, ok := blk.(*slack.InputBlock)
		if !ok {
			continue
		}
		switch el := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			if in.BlockID == FieldCustomer {
				el.InitialValue = customer
			}
		case *slack.DatePickerBlockElement:
			el.InitialDate = due.Format("2006-01-02")
		case *slack.TimePickerBlockElement:
			el.InitialTime = due.Format("15:04")
		}
	}
	return v
}
