package slackui

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// digestNow is Monday 30 November 2026, 9:00 in New York.
var digestNow = time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// fakeDigest is a DigestSource over slices, filtering as the store does.
type fakeDigest struct {
	customers []store.Customer
	promises  []store.Promise
	touches   []store.Touch
	heard     map[string]store.Heard
}

func (f *fakeDigest) Customers(team string) ([]store.Customer, error) {
	var out []store.Customer
	for _, c := range f.customers {
		if c.Team == team {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeDigest) TouchesBetween(team string, from, to time.Time) ([]store.Touch, error) {
	var out []store.Touch
	for _, t := range f.touches {
		if t.Team == team && !t.At.Before(from) && t.At.Before(to) {
			out = append(out, t)
		}
	}
	return out, nil
}

func (f *fakeDigest) DuePromises(team string, from, to, lateAt time.Time) ([]store.Promise, error) {
	var out []store.Promise
	for _, p := range f.promises {
		late := p.State == store.Open && p.Due.Before(lateAt)
		between := p.State != store.Cancelled && !p.Due.Before(from) && p.Due.Before(to)
		if p.Team == team && (late || between) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b store.Promise) int { return a.Due.Compare(b.Due) })
	return out, nil
}

func (f *fakeDigest) TeamWaits(string) ([]store.Wait, error)                  { return nil, nil }
func (f *fakeDigest) TeamHeard(string) (map[string]store.Heard, error)        { return f.heard, nil }
func (f *fakeDigest) Subscribe(team, channel string, scope store.Scope) error { return nil }
func (f *fakeDigest) Unsubscribe(team, channel string) error                  { return nil }
func (f *fakeDigest) Subscriptions(string) ([]store.Subscription, error)      { return nil, nil }

// seededDigest is a small team: Ann and Bob in #sales, Cid elsewhere.
func seededDigest() *fakeDigest {
	c := func(name, owner string, tier store.Tier, cadenceDays, touchedDaysAgo, addedDaysAgo int) store.Customer {
		cu := store.Customer{Team: "T1", Name: name, Owner: owner, Tier: tier, Cadence: time.Duration(cadenceDays) * day, Created: digestNow.Add(-time.Duration(addedDaysAgo) * day)}
		if touchedDaysAgo >= 0 {
			cu.LastTouch = digestNow.Add(-time.Duration(touchedDaysAgo) * day)
		}
		return cu
	}
	p := func(id int64, owner, customer, text string, due time.Duration, state store.State, onTime bool) store.Promise {
		return store.Promise{Team: "T1", ID: id, Owner: owner, Customer: customer, Text: text, Due: digestNow.Add(due), State: state, OnTime: onTime}
	}
	f := &fakeDigest{
		customers: []store.Customer{
			c("Acme & Sons", "U0ANN", store.StandardTier, 14, 40, 200),       // 26 days past
			c("Globex", "U0BOB", store.KeyTier, 14, 20, 200),                 // key, 6 days past
			c("Initech", "U0CID", store.StandardTier, 7, 10, 100),            // 3 days past
			c("<!channel> Hooli", "U0ANN", store.StandardTier, 0, 45, 300),   // no cadence, silent
			c("Umbrella", "U0BOB", store.KeyTier, 0, -1, 60),                 // never touched
			c("Stark", "U0CID", store.StandardTier, 30, 5, 90),               // fine
			c("Newco", "U0ANN", store.StandardTier, 0, -1, 3),                // too new to be silent
			c("Wayne", "U0BOB", store.KeyTier, 14, -1, 25),                   // never touched, past cadence
			{Team: "T2", Name: "Other team's", Owner: "U0ANN", Cadence: day}, // another workspace
		},
		promises: []store.Promise{
			p(1, "U0ANN", "Acme & Sons", "send the <b>renewal</b> quote", -5*day, store.Open, false),
			p(2, "U0BOB", "Globex", "call back about the pilot", -3*time.Hour, store.Open, false),
			p(3, "U0CID", "", "write the case study", -2*day, store.Open, false),
			p(4, "U0ANN", "Globex", "demo", -4*day, store.Kept, true),
			p(5, "U0BOB", "Initech", "pricing", -6*day, store.Kept, false),
			p(6, "U0ANN", "Acme & Sons", "contract", -10*day, store.Kept, true),
			p(7, "U0BOB", "Acme & Sons", "invoice", -12*day, store.Kept, false),
			p(8, "U0ANN", "", "later", 2*day, store.Open, false),
			p(9, "U0ANN", "", "cancelled", -2*day, store.Cancelled, false),
		},
		touches: []store.Touch{
			{Team: "T1", Customer: "Globex", By: "U0BOB", At: digestNow.Add(-2 * day)},
			{Team: "T1", Customer: "Stark", By: "U0CID", At: digestNow.Add(-5 * day)},
			{Team: "T1", Customer: "Acme & Sons", By: "U0ANN", At: digestNow.Add(-6 * day)},
			{Team: "T1", Customer: "Globex", By: "U0BOB", At: digestNow.Add(-9 * day)},
		},
		// Acme writes in its channel although nobody called it.
		heard: map[string]store.Heard{store.CustomerKey("Acme & Sons"): {At: digestNow.Add(-3 * time.Hour), By: "U0CARA"}},
	}
	return f
}

func TestBuildDigest(t *testing.T) {
	tests := []struct {
		name          string
		owners        map[string]bool
		quiet, silent []string
		late          []int64
		week, before  digest.WeekStats
	}{
		{
			name:   "whole workspace",
			quiet:  []string{"Wayne", "Globex", "Acme & Sons", "Initech"},
			silent: []string{"Umbrella", "<!channel> Hooli"},
			late:   []int64{1, 3, 2},
			week:   digest.WeekStats{Due: 5, OnTime: 1, KeptLate: 1, Open: 3, Touches: 3},
			before: digest.WeekStats{Due: 2, OnTime: 1, KeptLate: 1, Touches: 1},
		},
		{
			name:   "a channel of Ann and Bob",
			owners: map[string]bool{"U0ANN": true, "U0BOB": true},
			quiet:  []string{"Wayne", "Globex", "Acme & Sons"},
			silent: []string{"Umbrella", "<!channel> Hooli"},
			late:   []int64{1, 2},
			week:   digest.WeekStats{Due: 4, OnTime: 1, KeptLate: 1, Open: 2, Touches: 2},
			before: digest.WeekStats{Due: 2, OnTime: 1, KeptLate: 1, Touches: 1},
		},
		{
			name:   "a channel of nobody who owns anything",
			owners: map[string]bool{"U0DAN": true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := digest.Build(seededDigest(), "T1", tt.owners, digestNow, newYork)
			if err != nil {
				t.Fatal(err)
			}
			names := func(rows []digest.CustomerRow) []string {
				var out []string
				for _, r := range rows {
					out = append(out, r.Name)
				}
				return out
			}
			var late []int64
			for _, r := range d.Late {
				late = append(late, r.ID)
			}
			if got := names(d.Quiet); !slices.Equal(got, tt.quiet) {
				t.Errorf("going quiet = %q, want %q", got, tt.quiet)
			}
			if got := names(d.Silent); !slices.Equal(got, tt.silent) {
				t.Errorf("nothing in 30 days = %q, want %q", got, tt.silent)
			}
			if !slices.Equal(late, tt.late) {
				t.Errorf("late = %v, want %v", late, tt.late)
			}
			if d.Week != tt.week || d.Before != tt.before {
				t.Errorf("week %+v before %+v, want %+v and %+v", d.Week, d.Before, tt.week, tt.before)
			}
			if d.Members != (tt.owners != nil) {
				t.Errorf("Members = %v", d.Members)
			}
		})
	}
}

// digestMessage is what the golden files hold: the message as posted.
type digestMessage struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

func TestDigestGolden(t *testing.T) {
	seeded, err := digest.Build(seededDigest(), "T1", nil, digestNow, newYork)
	if err != nil {
		t.Fatal(err)
	}
	members, err := digest.Build(seededDigest(), "T1", map[string]bool{"U0ANN": true, "U0BOB": true}, digestNow, newYork)
	if err != nil {
		t.Fatal(err)
	}
	escalated := seeded
	escalated.Late = slices.Clone(seeded.Late)
	escalated.Late[0].Escalated = true
	allGood := digest.Digest{Now: digestNow, Week: digest.WeekStats{Due: 3, OnTime: 3, Touches: 5}, Before: digest.WeekStats{Due: 2, OnTime: 1, KeptLate: 1, Touches: 7}}
	tests := []struct {
		name string
		d    digest.Digest
	}{
		{"seeded", seeded},
		{"members", members},
		{"escalated", escalated},
		{"all-good", allGood},
		{"empty", digest.Digest{Now: digestNow}},
		{"long", longDigest(40, false)},
		{"nasty", longDigest(40, true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, blocks := DigestBlocks(tt.d, newYork)
			golden(t, filepath.Join("digest", tt.name), digestMessage{text, blocks})
		})
	}
}

// longDigest has n rows in every list; nasty ones have the longest and
// most escape-heavy text a user could give.
func longDigest(n int, nasty bool) digest.Digest {
	d := digest.Digest{Now: digestNow, Week: digest.WeekStats{Due: 100, OnTime: 60, KeptLate: 20, Open: 20, Touches: 3}, Before: digest.WeekStats{Due: 90, OnTime: 80, KeptLate: 10, Touches: 9}}
	name, text := "Customer", "send the quote"
	if nasty {
		name, text = strings.Repeat("<&>", 40), strings.Repeat("<!channel> ", 200)
	}
	for i := range n {
		row := digest.CustomerRow{Name: fmt.Sprintf("%d %s", i, name), Owner: "U0ANN", Key: i%3 == 0, Touched: true, Since: time.Duration(40+i) * day, Cadence: 14 * day, Health: model.HealthNeglected, Why: model.ReasonSilent} // the longest health mark
		d.Quiet = append(d.Quiet, row)
		d.Silent = append(d.Silent, row)
		d.Late = append(d.Late, digest.LateRow{ID: int64(i + 1), Owner: "U0BOB", Customer: name, Text: text, Due: digestNow.Add(-time.Duration(i+1) * day)})
	}
	return d
}

// moreRe reads a list's "and N more".
var moreRe = regexp.MustCompile(`…and (\d+) more — see App Home`)

// TestDigestLimits checks that however long the lists and however nasty
// the text, the digest stays within Slack's limits, counts what it leaves
// out exactly, and pings nobody.
func TestDigestLimits(t *testing.T) {
	for _, tt := range []struct {
		rows  int
		nasty bool
	}{{1, false}, {10, false}, {11, false}, {5000, false}, {1, true}, {9, true}, {40, true}, {5000, true}} {
		d := longDigest(tt.rows, tt.nasty)
		text, blocks := DigestBlocks(d, newYork)
		if len(blocks) > 50 {
			t.Errorf("%+v: %d blocks, Slack takes 50", tt, len(blocks))
		}
		all, lists := text, 0
		for _, b := range blocks {
			s, ok := b.(*slack.SectionBlock)
			if !ok {
				continue
			}
			if c := utf8.RuneCountInString(s.Text.Text); c > 3000 {
				t.Errorf("%+v: a section of %d characters, Slack takes 3,000", tt, c)
			}
			all += s.Text.Text
			if strings.Contains(s.Text.Text, "Our week") {
				continue
			}
			lists++
			shown, more := strings.Count(s.Text.Text, "\n• "), 0
			if m := moreRe.FindStringSubmatch(s.Text.Text); m != nil {
				more, _ = strconv.Atoi(m[1])
			}
			if shown+more != tt.rows || shown == 0 || shown > digestRows {
				t.Errorf("%+v: a list shows %d and says %d more, of %d", tt, shown, more, tt.rows)
			}
			if !tt.nasty && shown != min(tt.rows, digestRows) {
				t.Errorf("%+v: a list of short rows shows %d, want %d", tt, shown, min(tt.rows, digestRows))
			}
		}
		if lists != 3 {
			t.Errorf("%+v: %d lists, want 3", tt, lists)
		}
		for _, bad := range []string{"<!channel>", "<&>"} {
			if strings.Contains(all, bad) {
				t.Errorf("%+v: unescaped %q reaches Slack", tt, bad)
			}
		}
		// The ack of /customer digest carries the whole digest, and Slack
		// drops acks of 20 KB or more without a word. Counted as slack-go
		// sends it, HTML escapes included.
		ack, err := json.Marshal(map[string]any{"response_type": "ephemeral", "text": text, "blocks": blocks})
		if err != nil {
			t.Fatal(err)
		}
		if len(ack) >= 20*1024 {
			t.Errorf("%+v: the ack is %d bytes, Slack drops 20 KB", tt, len(ack))
		}
	}
}
