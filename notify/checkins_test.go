package notify

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/store"
)

// postsSlack records the notifier's posts; users in gone are deactivated.
type postsSlack struct {
	mu    sync.Mutex
	gone  map[string]bool
	posts []string // channel: text
}

func (s *postsSlack) GetUserInfoContext(_ context.Context, user string, _ ...slack.GetUserInfoOption) (*slack.User, error) {
	return &slack.User{ID: user, TZ: "America/New_York", Deleted: s.gone[user]}, nil
}

func (s *postsSlack) PostMessageContext(_ context.Context, ch string, opts ...slack.MsgOption) (string, string, error) {
	_, values, err := slack.UnsafeApplyMsgOptions("xoxb", ch, "https://slack.invalid/api/", opts...)
	if err != nil {
		return "", "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts = append(s.posts, ch+": "+values.Get("text")+" "+values.Get("metadata"))
	return ch, "1.000001", nil
}

// claimThree adds three customers of U0ANN past their cadence at now and
// claims their prompts.
func claimThree(t *testing.T, st *store.Bolt, now time.Time) []store.Nudge {
	t.Helper()
	for _, name := range []string{"Acme", "Beta", "Gamma"} {
		if _, err := st.AddCustomer("", store.Customer{Team: "T1", Name: name, Owner: "U0ANN", Cadence: 14 * day, Created: now.Add(-15 * day)}); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := st.ClaimCheckins(now, 0)
	if err != nil || len(ns) != 3 {
		t.Fatalf("claimed %d, %v", len(ns), err)
	}
	return ns
}

// TestDeliverCheckinsCapAndDay: at most CheckinsPerDay rows in the day's
// one message, the rest to the next working day; a second delivery the
// same day holds everything back.
func TestDeliverCheckinsCapAndDay(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, newYork) // a Tuesday
	b, st := testNotifier(t, &now)
	api := &postsSlack{}
	b = New(b.store, api, Config{Now: b.cfg.Now, Log: b.cfg.Log, CheckinsPerDay: 2})
	ns := claimThree(t, st, now)
	res, err := b.DeliverCheckins(context.Background(), ns)
	if err != nil {
		t.Fatal(err)
	}
	wed := time.Date(2026, 11, 25, 9, 0, 0, 0, newYork)
	if len(res.Sent) != 2 || len(res.Later) != 1 || len(api.posts) != 1 {
		t.Fatalf("sent %v, later %v, %d posts; want 2 in one message, 1 later", res.Sent, res.Later, len(api.posts))
	}
	for _, l := range res.Later {
		if !l.Until.Equal(wed) {
			t.Errorf("held back until %v, want Wednesday 9:00", l.Until)
		}
	}
	if !strings.Contains(api.posts[0], `"nudge_ids":"`) {
		t.Errorf("the message does not name its prompts: %s", api.posts[0])
	}
	now = now.Add(2 * time.Hour)
	res, err = b.DeliverCheckins(context.Background(), ns[2:])
	if err != nil || len(res.Sent) != 0 || len(res.Later) != 1 || len(api.posts) != 1 {
		t.Errorf("a second delivery the same day: %+v, %v, %d posts; want it held back", res, err, len(api.posts))
	}
}

// TestDeliverCheckinsOwnerGone: the prompts of a deactivated owner go to
// the digest channel in one note naming every customer.
func TestDeliverCheckinsOwnerGone(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, newYork)
	b, st := testNotifier(t, &now)
	api := &postsSlack{gone: map[string]bool{"U0ANN": true}}
	b = New(b.store, api, Config{Now: b.cfg.Now, Log: b.cfg.Log, DigestChannel: "C0LEADS"})
	ns := claimThree(t, st, now)
	res, err := b.DeliverCheckins(context.Background(), ns)
	if err != nil || len(res.Sent) != 3 || res.Channel != "C0LEADS" || len(api.posts) != 1 {
		t.Fatalf("%+v, %v, posts %v; want one note in C0LEADS carrying all three", res, err, api.posts)
	}
	for _, want := range []string{"Couldn't reach <@U0ANN> (deactivated)", "*Acme*", "*Beta*", "*Gamma*", `"rerouted_from":"U0ANN"`} {
		if !strings.Contains(api.posts[0], want) {
			t.Errorf("the note %q lacks %q", api.posts[0], want)
		}
	}
}
