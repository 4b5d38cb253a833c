package slackui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

func sampleTeam(now time.Time, n int, nasty bool) Team {
	name, text := "Acme", "send the renewal quote"
	if nasty {
		name, text = strings.Repeat("<&>", 26), strings.Repeat("<!channel> ", 200)
	}
	t := Team{Starts: digest.WeekStarts(now, newYork, 4)}
	for i := range n {
		cname := fmt.Sprintf("%s %d", name, i)
		t.Late = append(t.Late, store.Promise{ID: int64(i + 1), Owner: "U0BOB", Customer: cname, Text: text, Due: now.Add(-time.Duration(i+1) * day), State: store.Open})
		c := store.Customer{Name: cname, Owner: "U0ANN", Cadence: 14 * day, Created: now.Add(-100 * day), LastTouch: now.Add(-time.Duration(20+i) * day)}
		h, why := model.HealthGoingQuiet, model.ReasonOverdue
		if i%2 == 0 {
			h, why = model.HealthNeglected, model.ReasonLatePromise
		}
		t.Customers = append(t.Customers, TeamCustomer{Customer: c, Health: h, Why: why})
		t.Waiting = append(t.Waiting, TeamWait{Wait: store.Wait{Customer: cname, Channel: "C0ACME", By: "U0CARA", At: now.Add(-5 * time.Hour)}, Owner: "U0ANN"})
		t.Scores = append(t.Scores, OwnerScore{Owner: fmt.Sprintf("U0P%d", i), Weeks: []digest.Score{{OnTime: 3, Late: 1, Moved: 1, Touches: 4}, {OnTime: 2}, {Late: 1}, {Touches: 3}, {Moved: 1}}})
	}
	return t
}

func TestTeamViewGolden(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	golden(t, "team-view", TeamView(sampleTeam(now, 2, false), newYork, now))
	empty := Team{Starts: digest.WeekStarts(now, newYork, 4), Note: "🔁 #4 now belongs to <@U0BOB>."}
	golden(t, "team-view-empty", TeamView(empty, newYork, now))
}

// TestTeamViewBounded: however many rows and however nasty their text,
// the team view stays within a Home tab's 100 blocks and Slack's text
// limits, says how many it left out, and pings nobody.
func TestTeamViewBounded(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	for _, nasty := range []bool{false, true} {
		v := TeamView(sampleTeam(now, 300, nasty), newYork, now)
		if n := len(v.Blocks.BlockSet); n > MaxViewBlocks {
			t.Errorf("nasty=%v: %d blocks", nasty, n)
		}
		// Block ids and values carry customer keys as they are: Slack
		// shows neither.
		text := blocksText(v.Blocks.BlockSet) + contextText(v.Blocks.BlockSet)
		for _, bad := range []string{"<!channel>", "<&>"} {
			if strings.Contains(text, bad) {
				t.Errorf("nasty=%v: %s unescaped", nasty, bad)
			}
		}
		for _, want := range []string{"…and 288 more", "…and 294 more", "…and 275 more people"} {
			if !strings.Contains(text, want) {
				t.Errorf("nasty=%v: no %q in\n%s", nasty, want, text)
			}
		}
		for _, b := range v.Blocks.BlockSet {
			if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil && len([]rune(s.Text.Text)) > MaxSectionText {
				t.Errorf("nasty=%v: a section of %d characters", nasty, len([]rune(s.Text.Text)))
			}
		}
	}
}

func contextText(blocks []slack.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		if c, ok := bl.(*slack.ContextBlock); ok {
			for _, e := range c.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					b.WriteString(t.Text + "\n")
				}
			}
		}
	}
	return b.String()
}

func TestTeamRowRoundTrip(t *testing.T) {
	for _, r := range []TeamRow{
		{Kind: 'p', ID: 42, Key: "acme"},
		{Kind: 'p', ID: 7},
		{Kind: 'c', Key: "acme & sons: east"},
		{Kind: 'w', N: 3, Key: "globex"},
	} {
		got, ok := ParseTeamRow(r.String())
		if !ok || got != r {
			t.Errorf("%q read back as %+v, %v", r.String(), got, ok)
		}
	}
	for _, bad := range []string{"", "team:", "team:p:0:", "team:x:1:a", "team:c:0:", "promise:1:U1", "team:p:-1:a", "team:pp1"} {
		if _, ok := ParseTeamRow(bad); ok {
			t.Errorf("%q was read", bad)
		}
	}
}

func TestDigestLinksTheTeamView(t *testing.T) {
	d := longDigest(40, false)
	d.TeamView = TeamViewLink("T0KEPT", "A0KEPT")
	_, blocks := DigestBlocks(d, newYork)
	if text := blocksText(blocks); !strings.Contains(text, "…and 30 more — see App Home, in the <slack://app?team=T0KEPT&id=A0KEPT&tab=home|team view>.") {
		t.Errorf("no link to the team view:\n%s", text)
	}
	if TeamViewLink("T1", "") != "" {
		t.Error("a link without the app's id")
	}
}
