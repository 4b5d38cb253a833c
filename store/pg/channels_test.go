package pg_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/store"
)

// listener is the customer-channel half of both stores.
type listener interface {
	AddCustomer(op string, c store.Customer) (store.Customer, error)
	RemoveCustomer(op, team, name string) error
	LinkChannel(team, channel, customer, by string) (store.ChannelLink, error)
	UnlinkChannel(team, channel string) (store.ChannelLink, error)
	ChannelCustomer(team, channel string) (store.Customer, error)
	CustomerChannels(team, customer string) ([]string, error)
	SetHeard(team, customer string, h store.Heard) error
	LastHeard(team, customer string) (store.Heard, error)
	TeamHeard(team string) (map[string]store.Heard, error)
	OpenWait(w store.Wait, n store.Nudge) (store.Wait, error)
	Wait(team, channel, thread string) (store.Wait, error)
	CloseWait(team, channel, thread string) (store.Wait, error)
	CustomerWaits(team, customer string) ([]store.Wait, error)
	TeamWaits(team string) ([]store.Wait, error)
	SetSuggestions(team, user string, on bool) error
	SuggestionsOff(team, user string) (bool, error)
	Nudge(id int64) (store.Nudge, error)
}

// channelScript runs the same calls on a store and writes down every
// answer, so that two stores can be compared line by line.
func channelScript(s listener) []string {
	var out []string
	note := func(what string, v any, err error) {
		b, _ := json.Marshal(v)
		out = append(out, fmt.Sprintf("%s: %s %s", what, b, class(err)))
	}
	at := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	for _, n := range []string{"Acme", "Globex"} {
		_, err := s.AddCustomer("", store.Customer{Team: "T1", Name: n, Owner: "U1", Tier: store.StandardTier})
		note("add "+n, nil, err)
	}
	for _, c := range []struct{ ch, cust string }{{"C1", "nobody"}, {"C1", "acme"}, {"C1", "ACME"}, {"C2", "Acme"}, {"C1", "Globex"}} {
		l, err := s.LinkChannel("T1", c.ch, c.cust, "U1")
		l.At = time.Time{}
		note("link "+c.ch+" "+c.cust, l, err)
	}
	c, err := s.ChannelCustomer("T1", "C1")
	note("customer of C1", c.Name, err)
	_, err = s.ChannelCustomer("T2", "C1")
	note("customer of C1 in T2", nil, err)
	chs, err := s.CustomerChannels("T1", "acme")
	note("channels", chs, err)
	l, err := s.UnlinkChannel("T1", "C2")
	l.At = time.Time{}
	note("unlink C2", l, err)
	_, err = s.UnlinkChannel("T1", "C2")
	note("unlink C2 again", nil, err)
	note("remove Acme", nil, s.RemoveCustomer("", "T1", "Acme"))
	_, err = s.ChannelCustomer("T1", "C1")
	note("customer of C1 after removal", nil, err)
	l, err = s.LinkChannel("T1", "C1", "Globex", "U1")
	l.At = time.Time{}
	note("relink C1", l, err)

	note("set heard", nil, s.SetHeard("T1", "Globex", store.Heard{At: at, By: "U9", Channel: "C1", TS: "1.1"}))
	note("set older heard", nil, s.SetHeard("T1", "globex", store.Heard{At: at.Add(-time.Hour), By: "U8"}))
	h, err := s.LastHeard("T1", "GLOBEX")
	note("heard", h, err)
	h, err = s.LastHeard("T1", "Nobody")
	note("heard never", h, err)
	all, err := s.TeamHeard("T1")
	note("team heard", all, err)
	all, err = s.TeamHeard("T2")
	note("team heard in T2", all, err)

	n := store.Nudge{Kind: store.Waiting, Team: "T1", To: "U1", Subject: "C1|", NotBefore: at.Add(4 * time.Hour)}
	w, err := s.OpenWait(store.Wait{Team: "T1", Customer: "Globex", Channel: "C1", TS: "1.1", By: "U9", At: at, Excerpt: "help"}, n)
	note("open wait: has a nudge", w.NudgeID != 0, err)
	q, err := s.Nudge(w.NudgeID)
	note("its nudge", []any{q.Kind, q.State, q.To, q.Subject, q.NotBefore}, err)
	w.NudgeID = 0
	note("open wait", w, nil)
	_, err = s.OpenWait(store.Wait{Team: "T1", Customer: "Globex", Channel: "C1", TS: "1.2", At: at.Add(time.Minute)}, n)
	note("second wait there", nil, err)
	_, err = s.OpenWait(store.Wait{Team: "T1", Customer: "Globex", Channel: "C1", Thread: "1.1", TS: "1.3", At: at.Add(-time.Minute)}, store.Nudge{})
	note("wait in thread", nil, err)
	ws, err := s.CustomerWaits("T1", "globex")
	for i := range ws {
		ws[i].NudgeID = 0
	}
	note("waits", ws, err)
	tw, err := s.TeamWaits("T1")
	for i := range tw {
		tw[i].NudgeID = 0
	}
	note("team waits", tw, err)
	tw, err = s.TeamWaits("T2")
	note("another team's waits", tw, err)
	w, err = s.CloseWait("T1", "C1", "")
	note("close", w.TS, err)
	_, err = s.CloseWait("T1", "C1", "")
	note("close again", nil, err)
	w, err = s.Wait("T1", "C1", "1.1")
	note("thread wait", w.TS, err)

	for _, step := range []struct {
		user string
		on   bool
	}{{"U1", false}, {"U1", true}, {"U2", false}} {
		note("set suggestions", nil, s.SetSuggestions("T1", step.user, step.on))
		off1, _ := s.SuggestionsOff("T1", "U1")
		off2, err := s.SuggestionsOff("T1", "U2")
		note("off", []bool{off1, off2}, err)
	}
	return out
}

func TestChannelsSameAsBolt(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC) }
	p, _ := openPG(t, now)
	want := channelScript(openBolt(t, now))
	got := channelScript(p)
	if len(got) != len(want) {
		t.Fatalf("%d answers, bolt %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pg:   %s\nbolt: %s", got[i], want[i])
		}
	}
	if t.Failed() {
		t.Logf("bolt's answers:\n%s", strings.Join(want, "\n"))
	}
}
