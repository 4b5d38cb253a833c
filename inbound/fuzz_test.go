package inbound

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/keptbot/kept/store"
)

// fuzzSlack answers every Web API call the handlers make with success. It
// embeds the interface so that it still compiles when the interface grows;
// a call to a method it does not override panics, which a fuzz run reports.
type fuzzSlack struct{ Slack }

func (fuzzSlack) GetUserInfoContext(_ context.Context, user string, _ ...slack.GetUserInfoOption) (*slack.User, error) {
	if user == "U0GONE" {
		return &slack.User{ID: user, Deleted: true}, nil
	}
	return &slack.User{ID: user, TZ: "America/New_York"}, nil
}

func (fuzzSlack) PostMessageContext(_ context.Context, ch string, _ ...slack.MsgOption) (string, string, error) {
	return ch, "1.000001", nil
}

func (fuzzSlack) PostEphemeralContext(context.Context, string, string, ...slack.MsgOption) (string, error) {
	return "1.000002", nil
}

func (fuzzSlack) UpdateMessageContext(_ context.Context, ch, ts string, _ ...slack.MsgOption) (string, string, string, error) {
	return ch, ts, "", nil
}

func (fuzzSlack) OpenViewContext(context.Context, string, slack.ModalViewRequest) (*slack.ViewResponse, error) {
	return &slack.ViewResponse{}, nil
}

func (fuzzSlack) PublishViewContext(context.Context, slack.PublishViewContextRequest) (*slack.ViewResponse, error) {
	return &slack.ViewResponse{}, nil
}

func (fuzzSlack) GetPermalinkContext(context.Context, *slack.PermalinkParameters) (string, error) {
	return "https://kept-sim.slack.com/archives/C1/p1", nil
}

// fuzzBot is a Bot on a fresh database, with a promise #1 of U0ANN's to
// act on, and a Slack that always says yes.
func fuzzBot(f *testing.F) (*Bot, time.Time) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	st, err := store.New(filepath.Join(f.TempDir(), "kept.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	if _, err := st.AddPromise("", store.Promise{Team: "T1", Text: "call", Customer: "Acme", Owner: "U0ANN", Creator: "U0ANN", Due: now.Add(time.Hour), Zone: "America/New_York"}); err != nil {
		f.Fatal(err)
	}
	b := New(st, fuzzSlack{}, nil, Config{Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return b, now
}

// checkReply holds for every answer to user input: ephemeral, and no
// special mention (<!channel>, <!here>, …) other than Slack date tokens,
// however the input was crafted.
func checkReply(t *testing.T, input string, reply any) {
	if reply == nil {
		return
	}
	raw, err := json.Marshal(reply)
	if err != nil {
		t.Fatalf("%q: reply does not marshal: %v", input, err)
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		if rt, ok := m["response_type"]; ok && rt != "ephemeral" {
			t.Errorf("%q: reply is %v, want ephemeral", input, rt)
		}
	}
	var text strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			text.WriteString(v + "\n")
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(m)
	for _, line := range strings.Split(text.String(), "<!")[1:] {
		if !strings.HasPrefix(line, "date^") {
			t.Errorf("%q: reply has a special mention <!%.20s", input, line)
		}
	}
}

var promiseSeeds = []string{
	"Acme: send the renewal quote friday 5pm", "<@U0BOB|bob> Initech: demo tomorrow 3pm",
	"<@U0GONE> Acme: call tomorrow", "list", "help", "done 1", "done #1", "cancel 1",
	"snooze 1 tomorrow", "snooze 1", "snooze 1 yesterday", "give 1 <@U0BOB|bob>", "give 1 bob",
	"done 99999999999999999999", "done -1", "Acme: call at 15:30 tomorrow", ": tomorrow 3pm",
	"<!channel> Acme: <!here> ping everyone tomorrow 3pm", "Acme & <b>: x < y in 2 hours",
	"<@U0ANN", "<@>", "DONE 1", "  list  ", "Acme:", "every monday 9am standup",
	strings.Repeat("x", 2001) + " tomorrow",
}

// FuzzPromiseCommand feeds arbitrary /promise arguments through the whole
// command handler: the verb and number parsing, the owner mention, the
// customer split and the time phrase. Nothing may panic, every answer is
// ephemeral, and no user text can smuggle in a special mention.
func FuzzPromiseCommand(f *testing.F) {
	for _, s := range promiseSeeds {
		f.Add(s, "U0ANN")
	}
	f.Add("done 1", "U0BOB")
	b, _ := fuzzBot(f)
	n := 0
	f.Fuzz(func(t *testing.T, text, user string) {
		n++
		cmd := slack.SlashCommand{TeamID: "T1", ChannelID: "C1", UserID: user, Command: "/promise", Text: text, TriggerID: "1.2.3"}
		reply := b.reply(context.Background(), "fuzz-"+strings.Repeat("x", n%3)+text, cmd)
		checkReply(t, text, reply)
	})
}

// FuzzSplitCustomer checks the pure part of "Customer: what" on its own.
func FuzzSplitCustomer(f *testing.F) {
	for _, s := range promiseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		// An empty name before the colon (" : call") is dropped with it.
		customer, rest := splitCustomer(text)
		if len(customer) > 80 || !strings.Contains(text, customer) || !strings.Contains(text, rest) ||
			customer != strings.TrimSpace(customer) || rest != text && rest != strings.TrimSpace(rest) {
			t.Errorf("splitCustomer(%q) = %q, %q", text, customer, rest)
		}
		if m := mention.FindStringSubmatch(text); m != nil && !strings.HasPrefix(text, m[0]) {
			t.Errorf("mention %q not at the start of %q", m[0], text)
		}
	})
}

var payloadSeeds = []string{
	`{"team_id":"T1","channel_id":"C1","user_id":"U0ANN","command":"/promise","text":"Acme: call tomorrow 3pm","trigger_id":"1.2.3"}`,
	`{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U0ANN"},"container":{"type":"message","message_ts":"1.1","channel_id":"D1"},"channel":{"id":"D1"},"actions":[{"action_id":"promise_done","block_id":"promise:1:U0ANN","value":"1","type":"button"}]}`,
	`{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U0ANN"},"actions":[{"action_id":"promise_snooze","block_id":"promise:1:U0ANN","type":"static_select","selected_option":{"value":"1:tomorrow"}}]}`,
	`{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U0BOB"},"actions":[{"action_id":"promise_snooze","block_id":"promise:1","selected_option":{"value":"1:pick"}}]}`,
	`{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U0ANN"},"actions":[{"action_id":"promise_reassign","block_id":"promise:1:U0ANN","type":"users_select","selected_user":"U0BOB"}]}`,
	`{"type":"view_submission","team":{"id":"T1"},"user":{"id":"U0ANN"},"view":{"callback_id":"promise_modal","private_metadata":"{\"channel\":\"C1\"}","state":{"values":{}}}}`,
	`{"type":"view_submission","team":{"id":"T1"},"user":{"id":"U0ANN"},"view":{"callback_id":"snooze_modal","private_metadata":"1","state":{"values":{}}}}`,
	`{"type":"message_action","callback_id":"promise_followup","team":{"id":"T1"},"user":{"id":"U0ANN"},"channel":{"id":"C1"},"message_ts":"1.1","message":{"text":"call them <!here>","ts":"1.1"},"trigger_id":"1.2.3"}`,
	`{"type":"event_callback","team_id":"T1","api_app_id":"A1","event":{"type":"app_home_opened","user":"U0ANN","channel":"D1","tab":"home","event_ts":"1.1"},"event_id":"Ev1","event_time":1}`,
	`{"type":"view_closed"}`, `null`, `[]`, `{"actions":[null]}`, `{"type":"block_actions","actions":[{}]}`,
}

// FuzzSocketPayload feeds arbitrary bytes where Socket Mode carries an
// envelope's payload, decodes them the way slack-go does for each envelope
// type, and runs the bot's handler on the result: nothing may panic.
func FuzzSocketPayload(f *testing.F) {
	for _, s := range payloadSeeds {
		f.Add([]byte(s))
	}
	b, _ := fuzzBot(f)
	n := 0
	f.Fuzz(func(t *testing.T, payload []byte) {
		n++
		ctx := context.Background()
		var cmd slack.SlashCommand
		if json.Unmarshal(payload, &cmd) == nil {
			checkReply(t, string(payload), b.reply(ctx, "fuzz-cmd-"+string(rune(n)), cmd))
		}
		var cb slack.InteractionCallback
		if json.Unmarshal(payload, &cb) == nil {
			b.interaction(ctx, "fuzz-cb-"+string(rune(n)), cb)
		}
		if ev, err := slackevents.ParseEvent(payload, slackevents.OptionNoVerifyToken()); err == nil {
			b.event(ctx, ev)
		}
	})
}

// reply is the ack Kept sends for cmd, refusals and failures included.
func (b *Bot) reply(ctx context.Context, op string, cmd slack.SlashCommand) any {
	r, err := b.command(ctx, op, cmd)
	r, _ = b.answer(func() *slog.Logger { return b.cfg.Log }, r, err)
	return r
}
