package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// touchForm is the touch form's fields as Slack submits them.
func touchForm(kind, date, note string) map[string]map[string]slack.BlockAction {
	v := noteInput(note)
	if kind != "" {
		v["kind"] = map[string]slack.BlockAction{"value": {Type: "static_select", SelectedOption: slack.OptionBlockObject{Value: kind}}}
	}
	if date != "" {
		v["date"] = map[string]slack.BlockAction{"value": {Type: "datepicker", SelectedDate: date}}
	}
	return v
}

// TestTouchKindsAndDates: /touch in one line with a kind and a day in the
// past, in the writer's zone; a day ahead refused with nothing changed; a
// backfill older than the last touch leaves the check-in where it was;
// the form's kind menu and day picker.
func TestTouchKindsAndDates(t *testing.T) {
	e := start(t) // Monday 23 Nov 10:00 in Ann's New York
	e.cmd(ann, "/customer", "add Acme every 14d tier key")

	// A kind, now.
	r := e.cmd(ann, "/touch", "Acme problem solved: fixed the SSO bug")
	if got := replyText(r); !strings.Contains(got, "Logged a touch with *Acme* (problem solved): “fixed the SSO bug”") || r.ResponseType != "ephemeral" {
		t.Errorf("/touch with a kind answered %q", got)
	}
	ts, err := e.d.Store.Touches(team, "Acme", 0)
	if err != nil || len(ts) != 1 || ts[0].Kind != "problem solved" || !ts[0].At.Equal(e.clock.Now()) || ts[0].Note != "fixed the SSO bug" {
		t.Fatalf("touches = %+v, %v", ts, err)
	}
	touched := e.customer("Acme")
	if !touched.LastTouch.Equal(e.clock.Now()) || !touched.NextPrompt.Equal(e.clock.Now().Add(14*24*time.Hour)) {
		t.Errorf("next prompt %v; want 14 days after the touch", touched.NextPrompt)
	}

	// Dated in the past, older than the last touch: logged, but the
	// cadence still counts from the newer one.
	r = e.cmd(ann, "/touch", "Acme call 2026-11-20: they renew in March")
	if got := replyText(r); !strings.Contains(got, "Fri 20 Nov 09:00 EST") || !strings.Contains(got, "older than the last touch") {
		t.Errorf("a backfilled touch answered %q", got)
	}
	if c := e.customer("Acme"); !c.LastTouch.Equal(touched.LastTouch) || !c.NextPrompt.Equal(touched.NextPrompt) || c.LastNote != "fixed the SSO bug" {
		t.Errorf("a backfill moved the last touch: %+v", c)
	}

	// A day later, "yesterday 3pm" is newer than the last touch (Monday
	// 10:00): the cadence restarts from it, read on Ann's clock.
	e.clock.Advance(24 * time.Hour)
	r = e.cmd(ann, "/touch", "Acme yesterday 3pm meeting: kickoff in Lyon")
	yesterday3pm := time.Date(2026, 11, 23, 15, 0, 0, 0, newYork)
	if c := e.customer("Acme"); !c.LastTouch.Equal(yesterday3pm) || !c.NextPrompt.Equal(yesterday3pm.Add(14*24*time.Hour)) || c.LastNote != "kickoff in Lyon" {
		t.Errorf("after a touch dated yesterday 3pm: %+v (reply %q)", c, replyText(r))
	}
	// The same words in Bob's Paris: 15:00 there.
	e.cmd(bob, "/touch", "Acme yesterday 3pm email: sent the deck")
	if ts, _ := e.d.Store.Touches(team, "Acme", 0); len(ts) != 4 || ts[2].By != bob || !ts[2].At.Equal(time.Date(2026, 11, 23, 15, 0, 0, 0, mustZone("Europe/Paris"))) {
		t.Errorf("touches = %+v; want Bob's third newest, at 15:00 in Paris", ts)
	}

	// Ahead: refused, ephemeral, nothing changes.
	before, _ := e.d.Store.Touches(team, "Acme", 0)
	for _, text := range []string{"Acme tomorrow: lunch", "Acme sale closed 2026-12-25: signed", "Acme in 2 days: call"} {
		r := e.cmd(ann, "/touch", text)
		if got := replyText(r); !strings.Contains(got, "still ahead") || !strings.Contains(got, "/promise") || r.ResponseType != "ephemeral" {
			t.Errorf("/touch %s answered %q", text, got)
		}
	}
	if after, _ := e.d.Store.Touches(team, "Acme", 0); len(after) != len(before) {
		t.Errorf("a refused touch was logged: %d touches, want %d", len(after), len(before))
	}

	// The form: the kind menu and the day, today to start with.
	e.cmd(ann, "/touch", "Acme")
	form := e.lastView(ann, "open")
	got := e.sim.RenderView(form)
	for _, want := range []string{"Kind", "Problem solved", "Sale closed", "When"} {
		if !strings.Contains(got, want) {
			t.Errorf("touch form lacks %q:\n%s", want, got)
		}
	}
	if r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, touchForm("renewal", "2026-11-25", "signed")); err != nil || r.Errors["date"] == "" {
		t.Errorf("a day ahead was accepted: %+v, %v", r, err)
	}
	if r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, touchForm("gesture", "2026-11-24", "signed")); err != nil || r.Errors["kind"] == "" {
		t.Errorf("an unknown kind was accepted: %+v, %v", r, err)
	}
	if after, _ := e.d.Store.Touches(team, "Acme", 0); len(after) != len(before) {
		t.Errorf("a refused form logged a touch")
	}
	if _, err := e.sim.SubmitView(e.ctx(), ann, form.ID, touchForm("renewal", "2026-11-20", "signed for two years")); err != nil {
		t.Fatal(err)
	}
	e.settle()
	ts, _ = e.d.Store.Touches(team, "Acme", 0)
	var found bool
	for _, tc := range ts {
		found = found || tc.Kind == "renewal" && tc.Note == "signed for two years" && tc.At.Equal(time.Date(2026, 11, 20, 9, 0, 0, 0, newYork))
	}
	if !found {
		t.Errorf("the form's touch is not logged as a renewal on 20 Nov 9:00: %+v", ts)
	}
	waitFor(t, e, func() bool { return e.sawEphemeral(ann, "Logged a touch with *Acme* (renewal, ") })
}
