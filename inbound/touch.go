package inbound

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/keptbot/kept/duetime"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// Touches as people log them: `/touch NAME [kind] [when]: what happened`,
// or `/touch NAME` alone for the form (checkin.go).

// touchLine is what `/touch NAME …` says after the name.
type touchLine struct {
	kind model.TouchKind // "" when not said
	at   time.Time       // zero: now
	note string
}

// parseTouchLine reads what follows the customer's name in /touch:
//
//	problem solved: fixed the SSO bug    a kind, then the note
//	yesterday: lunch in Lyon             when, then the note
//	call 2026-11-28: they renew          both, either way round
//	sale closed                          a kind (or when) alone, no note
//	called just to talk                  anything else is the note
//
// The part before the first colon is a kind and a time only if it reads
// whole as one; "called Bob: fine" is a note. When is read by
// duetime.ReadPast in loc: a time ahead ("tomorrow: …") is refused, and
// so is a day that does not exist; nothing is then logged.
func parseTouchLine(rest string, now time.Time, loc *time.Location) (touchLine, error) {
	rest = strings.TrimSpace(rest)
	// The head ends at a colon, but a time may hold one ("2:30pm: …"):
	// try the first few colons, then the whole line with no note.
	from := 0
	for range maxHeadColons {
		i := strings.IndexByte(rest[from:], ':')
		if i < 0 {
			break
		}
		l, ok, err := parseTouchHead(rest[:from+i], now, loc)
		if err != nil {
			return touchLine{}, err
		}
		if ok {
			l.note = strings.TrimSpace(rest[from+i+1:])
			return l, nil
		}
		from += i + 1
	}
	l, ok, err := parseTouchHead(rest, now, loc)
	if err != nil || !ok {
		return touchLine{note: rest}, err
	}
	return l, nil
}

// maxHeadColons bounds the colons tried as the end of a touch's head: a
// kind and a time hold at most two.
const maxHeadColons = 3

// parseTouchHead reads "[kind] [when]" or "[when] [kind]"; ok is false
// when head is not that (it is part of a note). An error is a time that
// was read but cannot be used.
func parseTouchHead(head string, now time.Time, loc *time.Location) (touchLine, bool, error) {
	w := strings.Fields(head)
	if len(w) == 0 {
		return touchLine{}, false, nil
	}
	var l touchLine
	when := w
	for n := min(2, len(w)); n >= 1 && l.kind == ""; n-- {
		if k, ok := model.ParseTouchKind(strings.Join(w[:n], " ")); ok {
			l.kind, when = k, w[n:]
		} else if k, ok := model.ParseTouchKind(strings.Join(w[len(w)-n:], " ")); ok {
			l.kind, when = k, w[:len(w)-n]
		}
	}
	if len(when) == 0 {
		return l, true, nil
	}
	at, err := duetime.ReadPast(strings.Join(when, " "), now, loc)
	switch {
	case errors.Is(err, duetime.ErrNoTime):
		// "called Bob: fine", "call with Bob: fine": words of a note.
		return touchLine{}, false, nil
	case err != nil:
		return touchLine{}, false, invalid(touchTimeRefusal(err))
	}
	l.at = at
	return l, true, nil
}

// touchTimeRefusal says why a touch's time was refused, and the form.
func touchTimeRefusal(err error) string {
	reason := slackui.Escape(duetime.Reason(err))
	if errors.Is(err, duetime.ErrFuture) {
		return reason + " To remember something ahead, make it a promise: `/promise Acme: call back friday 3pm`."
	}
	return reason + " " + usageTouchDated
}

const usageTouchDated = "Try `/touch Acme yesterday: lunch in Lyon` or `/touch Acme call 2026-11-28: they renew`."

// touchCommand is `/touch NAME [kind] [when]: what happened`; `/touch
// NAME` alone opens the form.
func (b *Bot) touchCommand(call call) (any, error) {
	ctx, op, cmd, log := call.ctx, call.op, call.cmd, call.log
	text := strings.TrimSpace(cmd.Text)
	c, rest, err := b.findCustomerIn(cmd.TeamID, text)
	if err != nil {
		return nil, err
	}
	if rest == "" {
		if err := b.openTouchModal(ctx, cmd.TriggerID, cmd.UserID, c, touchOrigin{Channel: cmd.ChannelID, Reply: cmd.ResponseURL}); err != nil {
			log().Error("open touch modal", "err", err)
			return nil, unavailable(fmt.Sprintf("I couldn't open the form. Say it in one line instead: `/touch %s called to check in`.", slackui.Escape(c.Name)))
		}
		return nil, nil
	}
	loc := b.zoneOr(ctx, cmd.UserID)
	now := b.cfg.Now()
	l, err := parseTouchLine(rest, now, loc)
	if err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(l.note); n > slackui.MaxText {
		return nil, invalid(fmt.Sprintf("That note is %d characters long; please keep it under %d.", n, slackui.MaxText))
	}
	t := store.Touch{Team: cmd.TeamID, Customer: c.Name, By: cmd.UserID, At: l.at, Kind: l.kind, Note: l.note}
	if t.Kind == "" {
		t.Kind = store.TouchCall
	}
	if t.At.IsZero() {
		t.At = now
	}
	c, offer, err := b.logTouch(ctx, op, c, t)
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		if r := modelRefusal(err); r != err {
			return nil, r
		}
		return nil, fmt.Errorf("inbound: add touch: %w", err)
	}
	text = slackui.TouchLogged(c, t, loc, now) + slackui.OfferAnnounced(offer, c.Owner, cmd.UserID, loc, now)
	b.later(ctx, func(ctx context.Context) { b.refreshHome(ctx, c.Team, cmd.UserID) })
	return ephemeral(text, slackui.Section(text)), nil
}
