package slacksim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// clock is a settable time source for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newSim(t *testing.T, opts Options) (*Server, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)}
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	if opts.AckTimeout == 0 {
		opts.AckTimeout = time.Second
	}
	opts.Logf = t.Logf
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddUser(User{ID: "U1", Name: "ana", RealName: "Ana Lima", TZ: "Europe/Paris"})
	s.AddUser(User{ID: "U2", Name: "bo", RealName: "Bo Chen", TZ: "America/New_York"})
	s.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1", "U2", "U0KEPTBOT"}})
	s.AddChannel(Channel{ID: "C2", Name: "random", Members: []string{"U1"}})
	return s, clk
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// handler answers one Socket Mode request the way a bot would.
type handler func(sm *socketmode.Client, evt socketmode.Event)

// startApp connects a real slack-go Socket Mode client to s and hands
// every request to h in its own goroutine, like socketmode.SocketmodeHandler.
func startApp(t *testing.T, s *Server, h handler) *slack.Client {
	t.Helper()
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()), slack.OptionAppLevelToken("xapp-1-sim"))
	sm := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = sm.RunContext(ctx); done <- struct{}{} }()
	go func() {
		defer func() { done <- struct{}{} }()
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-sm.Events:
				if evt.Request != nil && evt.Type != socketmode.EventTypeHello {
					go h(sm, evt)
				}
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done; <-done })
	if err := s.WaitConnected(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	return api
}

func ack(sm *socketmode.Client, evt socketmode.Event, payload ...any) {
	_ = sm.Ack(*evt.Request, payload...)
}

func TestSlashCommandAck(t *testing.T) {
	s, _ := newSim(t, Options{})
	got := make(chan slack.SlashCommand, 1)
	startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		cmd := evt.Data.(slack.SlashCommand)
		got <- cmd
		ack(sm, evt, map[string]any{"text": "you said " + cmd.Text, "response_type": "ephemeral"})
	})

	// Typed text reaches the app escaped, as with should_escape.
	r, err := s.SlashCommand(ctxT(t), "U1", "C1", "/kept", "ship it & run <b> with @bo in #general, not @nobody @here")
	if err != nil {
		t.Fatal(err)
	}
	const escaped = "ship it &amp; run &lt;b&gt; with <@U2|bo> in <#C1|general>, not @nobody <!here>"
	if r.Text != "you said "+escaped || r.ResponseType != "ephemeral" {
		t.Errorf("reply = %+v", r)
	}
	cmd := <-got
	want := slack.SlashCommand{TeamID: "T0KEPT", TeamDomain: "kept-sim", ChannelID: "C1", ChannelName: "general",
		UserID: "U1", UserName: "ana", Command: "/kept", Text: escaped, APIAppID: "A0KEPT",
		Token: verificationToken, IsEnterpriseInstall: false}
	if cmd.ResponseURL == "" || cmd.TriggerID == "" {
		t.Errorf("missing response_url or trigger_id: %+v", cmd)
	}
	cmd.ResponseURL, cmd.TriggerID = "", ""
	if cmd != want {
		t.Errorf("command = %+v\nwant      %+v", cmd, want)
	}
	msgs := s.Messages()
	if len(msgs) != 1 || !msgs[0].Ephemeral || msgs[0].EphemeralTo != "U1" || !msgs[0].ViaAck {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestSlashCommandNoAck(t *testing.T) {
	s, _ := newSim(t, Options{AckTimeout: 200 * time.Millisecond})
	startApp(t, s, func(*socketmode.Client, socketmode.Event) {})
	_, err := s.SlashCommand(ctxT(t), "U1", "C1", "/kept", "")
	if !errors.Is(err, ErrNoAck) {
		t.Fatalf("err = %v, want ErrNoAck", err)
	}
	if errs := s.Errors(); len(errs) != 1 || !errors.Is(errs[0], ErrNoAck) {
		t.Errorf("Errors() = %v", errs)
	}
}

func TestSlashCommandNoSocket(t *testing.T) {
	s, _ := newSim(t, Options{})
	if _, err := s.SlashCommand(ctxT(t), "U1", "C1", "/kept", ""); !errors.Is(err, ErrNoSocket) {
		t.Fatalf("err = %v, want ErrNoSocket", err)
	}
}

func TestEventRedelivered(t *testing.T) {
	s, _ := newSim(t, Options{AckTimeout: 200 * time.Millisecond})
	var mu sync.Mutex
	var attempts []int
	var reasons []string
	startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		ev := evt.Data.(slackevents.EventsAPIEvent)
		home, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
		if !ok || home.User != "U1" || home.Tab != "home" || ev.TeamID != "T0KEPT" {
			t.Errorf("event = %+v", ev)
		}
		mu.Lock()
		attempts = append(attempts, evt.Request.RetryAttempt)
		reasons = append(reasons, evt.Request.RetryReason)
		mu.Unlock()
		if evt.Request.RetryAttempt >= 1 {
			ack(sm, evt)
		}
	})
	if err := s.OpenHome(ctxT(t), "U1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(attempts) != 2 || attempts[0] != 0 || attempts[1] != 1 || reasons[0] != "" || reasons[1] != "timeout" {
		t.Errorf("attempts = %v reasons = %q", attempts, reasons)
	}
}

func TestEventNeverAcked(t *testing.T) {
	s, _ := newSim(t, Options{AckTimeout: 50 * time.Millisecond, EventRetries: 2})
	attempts := make(chan int, 10)
	startApp(t, s, func(_ *socketmode.Client, evt socketmode.Event) { attempts <- evt.Request.RetryAttempt })
	if err := s.OpenHome(ctxT(t), "U1"); !errors.Is(err, ErrNoAck) {
		t.Fatalf("err = %v, want ErrNoAck", err)
	}
	// slack-go hands each envelope to the handler on its own goroutine, so
	// under load the three deliveries may reach it in any order: what
	// matters is that each retry_attempt was sent exactly once.
	var got []int
	for range 3 {
		select {
		case a := <-attempts:
			got = append(got, a)
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d of 3 deliveries arrived: %v", len(got), got)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("retry_attempts = %v, want 0, 1 and 2 once each", got)
	}
}

func TestReconnect(t *testing.T) {
	tests := []struct {
		name  string
		fault func(*Server)
	}{
		{"disconnect", func(s *Server) { s.Disconnect("refresh_requested") }},
		{"drop", (*Server).DropConnections},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newSim(t, Options{})
			startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) { ack(sm, evt, map[string]string{"text": "ok"}) })
			if got := s.ConnectionsOpened(); got != 1 {
				t.Fatalf("opened = %d", got)
			}
			tt.fault(s)
			ctx := ctxT(t)
			if err := s.Wait(ctx, func() bool { return s.ConnectionsOpened() == 2 && s.Connections() == 1 }); err != nil {
				t.Fatalf("no reconnect: opened %d, open %d", s.ConnectionsOpened(), s.Connections())
			}
			if r, err := s.SlashCommand(ctx, "U1", "C1", "/kept", "again"); err != nil || r.Text != "ok" {
				t.Errorf("after reconnect: %+v, %v", r, err)
			}
		})
	}
}

func TestWebAPIMessages(t *testing.T) {
	s, _ := newSim(t, Options{})
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	ctx := ctxT(t)
	blocks := slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "hello <@U1>", false, false), nil, nil))
	meta := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "promise", EventPayload: map[string]any{"id": "p1"}})

	ch, ts, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("hello", false), blocks, meta)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ch, "D") {
		t.Errorf("channel = %q, want a DM", ch)
	}
	im, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil || im.ID != ch {
		t.Errorf("conversations.open = %v, %v; want %s", im, err, ch)
	}
	dms := s.DMs("U1")
	if len(dms) != 1 || dms[0].TS != ts || dms[0].Text != "hello" || len(dms[0].Blocks) != 1 ||
		dms[0].Metadata == nil || dms[0].Metadata.EventType != "promise" || dms[0].User != "U0KEPTBOT" {
		t.Fatalf("DMs = %+v", dms)
	}
	if got := s.Render(dms[0]); got != "hello @ana" {
		t.Errorf("Render = %q", got)
	}

	if _, _, _, err := api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText("bye", false)); err != nil {
		t.Fatal(err)
	}
	m, _ := s.Message(ch, ts)
	if m.Text != "bye" || m.Updates != 1 || len(m.Blocks) != 1 {
		t.Errorf("after update = %+v", m)
	}

	errTests := []struct {
		name string
		call func() error
		want string
	}{
		{"not in channel", func() error {
			_, _, err := api.PostMessageContext(ctx, "C2", slack.MsgOptionText("x", false))
			return err
		}, "not_in_channel"},
		{"unknown channel", func() error {
			_, _, err := api.PostMessageContext(ctx, "C404", slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found"},
		{"archived channel", func() error {
			s.AddChannel(Channel{ID: "C3", Name: "old", Members: []string{"U1", "U0KEPTBOT"}, Archived: true})
			_, _, err := api.PostMessageContext(ctx, "C3", slack.MsgOptionText("x", false))
			return err
		}, "is_archived"},
		{"no text", func() error {
			_, _, err := api.PostMessageContext(ctx, "C1")
			return err
		}, "no_text"},
		{"update unknown", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, ch, "1.000001", slack.MsgOptionText("x", false))
			return err
		}, "message_not_found"},
		{"ephemeral to non-member", func() error {
			_, err := api.PostEphemeralContext(ctx, "C1", "U404", slack.MsgOptionText("x", false))
			return err
		}, "user_not_found"},
		{"users.info unknown", func() error {
			_, err := api.GetUserInfoContext(ctx, "U404")
			return err
		}, "user_not_found"},
		{"wrong token", func() error {
			_, err := slack.New("xoxb-wrong", slack.OptionAPIURL(s.URL())).AuthTestContext(ctx)
			return err
		}, "invalid_auth"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}

	ets, err := api.PostEphemeralContext(ctx, "C1", "U2", slack.MsgOptionText("psst", false))
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := s.Message("C1", ets); !ok || !e.Ephemeral || e.EphemeralTo != "U2" {
		t.Errorf("ephemeral = %+v", e)
	}
	link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ch, Ts: ts})
	if want := "https://kept-sim.slack.com/archives/" + ch + "/p" + strings.Replace(ts, ".", "", 1); err != nil || link != want {
		t.Errorf("permalink = %q, %v; want %q", link, err, want)
	}
}

func TestConversationsHistory(t *testing.T) {
	s, clk := newSim(t, Options{})
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	ctx := ctxT(t)
	var posted []string
	for i := range 5 {
		clk.Add(time.Second)
		_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("m", false),
			slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "promise", EventPayload: map[string]any{"n": i}}))
		if err != nil {
			t.Fatal(err)
		}
		posted = append(posted, ts)
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: "C1", Limit: 2, Cursor: cursor, IncludeAllMetadata: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range h.Messages {
			if m.Metadata.EventType != "promise" {
				t.Errorf("message %s without metadata", m.Timestamp)
			}
			got = append(got, m.Timestamp)
		}
		if !h.HasMore {
			break
		}
		cursor = h.ResponseMetaData.NextCursor
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	want := []string{posted[4], posted[3], posted[2], posted[1], posted[0]}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("history = %v, want %v", got, want)
	}
}

func TestUsersInfoZone(t *testing.T) {
	tests := []struct {
		tz     string
		at     time.Time
		offset int
		label  string
	}{
		{"Europe/Paris", time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC), 7200, "Central European Summer Time"},
		{"Europe/Paris", time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC), 3600, "Central European Time"},
		{"America/New_York", time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC), -18000, "Eastern Standard Time"},
		{"Asia/Kolkata", time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC), 19800, "India Standard Time"},
	}
	for _, tt := range tests {
		t.Run(tt.tz+tt.at.Format("-Jan"), func(t *testing.T) {
			s, err := New(Options{Now: func() time.Time { return tt.at }})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.AddUser(User{ID: "U9", Name: "z", TZ: tt.tz})
			u, err := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL())).GetUserInfoContext(ctxT(t), "U9")
			if err != nil {
				t.Fatal(err)
			}
			if u.TZ != tt.tz || u.TZOffset != tt.offset || u.TZLabel != tt.label {
				t.Errorf("tz = %q %d %q, want %q %d %q", u.TZ, u.TZOffset, u.TZLabel, tt.tz, tt.offset, tt.label)
			}
		})
	}
}

func TestAuthTestScopes(t *testing.T) {
	s, _ := newSim(t, Options{Scopes: []string{"commands", "chat:write"}})
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	ctx := ctxT(t)
	r, err := api.AuthTestContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.UserID != "U0KEPTBOT" || r.BotID != "B0KEPT" || r.TeamID != "T0KEPT" {
		t.Errorf("auth.test = %+v", r)
	}
	if got := r.Header.Get("X-OAuth-Scopes"); got != "commands,chat:write" {
		t.Errorf("X-OAuth-Scopes = %q", got)
	}
	_, err = api.GetUserInfoContext(ctx, "U1")
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "missing_scope" || se.Needed != "users:read" {
		t.Errorf("users.info without scope: %v", err)
	}
}

func TestFaults(t *testing.T) {
	s, clk := newSim(t, Options{})
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	ctx := ctxT(t)
	post := func() error {
		_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
		return err
	}
	retryAfter := func(err error) time.Duration {
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) {
			t.Fatalf("err = %v, want *slack.RateLimitedError", err)
		}
		return rl.RetryAfter
	}

	s.FailNext("chat.postMessage", 1, Fault{Status: 429, RetryAfter: 7})
	if got := retryAfter(post()); got != 7*time.Second {
		t.Errorf("RetryAfter = %v", got)
	}
	s.FailNext("chat.postMessage", 1, Fault{Status: 503})
	var sc slack.StatusCodeError
	if err := post(); !errors.As(err, &sc) || sc.Code != 503 {
		t.Errorf("503 fault: %v", err)
	}
	s.FailNext("chat.postMessage", 1, Fault{Error: "account_inactive"})
	if err := post(); err == nil || err.Error() != "account_inactive" {
		t.Errorf("error fault: %v", err)
	}
	if err := post(); err != nil {
		t.Errorf("after faults: %v", err)
	}

	s.SetRateLimit("chat.postMessage", 2)
	for range 2 {
		if err := post(); err != nil {
			t.Fatal(err)
		}
	}
	if got := retryAfter(post()); got != 60*time.Second {
		t.Errorf("RetryAfter = %v, want 60s", got)
	}
	clk.Add(30*time.Second + time.Millisecond)
	if got := retryAfter(post()); got != 30*time.Second {
		t.Errorf("RetryAfter = %v, want 30s (rounded up)", got)
	}
	clk.Add(30 * time.Second)
	if err := post(); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

// triggerApp acks slash commands and hands out their trigger ids.
func triggerApp(t *testing.T, s *Server, triggers chan<- string) *slack.Client {
	return startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		switch d := evt.Data.(type) {
		case slack.SlashCommand:
			triggers <- d.TriggerID
			ack(sm, evt)
		case slack.InteractionCallback:
			if d.Type == slack.InteractionTypeViewSubmission {
				switch d.View.State.Values["b"]["a"].Value {
				case "":
					ack(sm, evt, slack.NewErrorsViewSubmissionResponse(map[string]string{"b": "required"}))
					return
				case "more":
					next := modal()
					next.CallbackID = "step2"
					ack(sm, evt, slack.NewUpdateViewSubmissionResponse(&next))
					return
				}
			}
			ack(sm, evt)
		}
	})
}

func modal() slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", "New promise", false, false),
		Submit:     slack.NewTextBlockObject("plain_text", "Save", false, false),
		CallbackID: "new",
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("b",
			slack.NewTextBlockObject("plain_text", "What", false, false), nil,
			slack.NewPlainTextInputBlockElement(nil, "a"))}},
	}
}

func TestViews(t *testing.T) {
	wall := &clock{t: time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)}
	s, clk := newSim(t, Options{Wall: wall.Now})
	triggers := make(chan string, 4)
	api := triggerApp(t, s, triggers)
	ctx := ctxT(t)

	if _, err := s.SlashCommand(ctx, "U1", "C1", "/kept", ""); err != nil {
		t.Fatal(err)
	}
	tid := <-triggers
	v, err := api.OpenViewContext(ctx, tid, modal())
	if err != nil {
		t.Fatal(err)
	}
	if v.ID == "" || v.Hash == "" || v.CallbackID != "new" {
		t.Errorf("view = %+v", v.View)
	}
	if vs := s.Views(); len(vs) != 1 || vs[0].Kind != "open" || vs[0].UserID != "U1" || vs[0].View.CallbackID != "new" {
		t.Errorf("Views() = %+v", vs)
	}

	r, err := s.SubmitView(ctx, "U1", v.ID, nil)
	if err != nil || r.ResponseAction != "errors" || r.Errors["b"] != "required" {
		t.Fatalf("empty submit: %+v, %v", r, err)
	}
	more := map[string]map[string]slack.BlockAction{"b": {"a": {Type: "plain_text_input", Value: "more"}}}
	r, err = s.SubmitView(ctx, "U1", v.ID, more)
	if err != nil || r.ResponseAction != "update" {
		t.Fatalf("submit for update: %+v, %v", r, err)
	}
	if vs := s.Views(); vs[len(vs)-1].Kind != "update" || vs[len(vs)-1].View.CallbackID != "step2" || vs[len(vs)-1].ID != v.ID {
		t.Errorf("after update ack: %+v", vs[len(vs)-1])
	}
	values := map[string]map[string]slack.BlockAction{"b": {"a": {Type: "plain_text_input", Value: "ship"}}}
	if _, err := s.SubmitView(ctx, "U1", v.ID, values); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitView(ctx, "U1", v.ID, values); err == nil {
		t.Error("a modal closed by its submission accepted another")
	}

	if _, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1",
		View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}}); err != nil {
		t.Fatal(err)
	}

	if _, err := api.OpenViewContext(ctx, tid, modal()); err == nil || err.Error() != "exchanged_trigger_id" {
		t.Errorf("reused trigger: %v", err)
	}
	if _, err := s.SlashCommand(ctx, "U1", "C1", "/kept", ""); err != nil {
		t.Fatal(err)
	}
	tid = <-triggers
	// Expiry is Slack's wall time: hours on the test clock do not count,
	// three real seconds do.
	clk.Add(5 * time.Hour)
	wall.Add(2999 * time.Millisecond)
	if _, err := s.SlashCommand(ctx, "U1", "C1", "/kept", ""); err != nil {
		t.Fatal(err)
	}
	fresh := <-triggers
	wall.Add(time.Millisecond)
	if _, err := api.OpenViewContext(ctx, tid, modal()); err == nil || err.Error() != "expired_trigger_id" {
		t.Errorf("expired trigger: %v", err)
	}
	if _, err := api.OpenViewContext(ctx, fresh, modal()); err != nil {
		t.Errorf("trigger 1 ms old on the wall clock: %v", err)
	}
	if _, err := api.OpenViewContext(ctx, "1.2.bogus", modal()); err == nil || err.Error() != "invalid_trigger_id" {
		t.Errorf("unknown trigger: %v", err)
	}
}

func TestClick(t *testing.T) {
	s, _ := newSim(t, Options{})
	got := make(chan slack.InteractionCallback, 1)
	var api *slack.Client
	api = startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		cb := evt.Data.(slack.InteractionCallback)
		ack(sm, evt)
		_, _, err := api.PostMessage(cb.Channel.ID, slack.MsgOptionReplaceOriginal(cb.ResponseURL),
			slack.MsgOptionText("done: "+cb.ActionCallback.BlockActions[0].Value+cb.ActionCallback.BlockActions[0].SelectedOption.Value, false))
		if err != nil {
			t.Errorf("response_url: %v", err)
		}
		got <- cb
	})
	opt := func(v string) *slack.OptionBlockObject {
		return slack.NewOptionBlockObject(v, slack.NewTextBlockObject("plain_text", v, false, false), nil)
	}
	blocks := slack.MsgOptionBlocks(
		slack.NewActionBlock("acts",
			slack.NewButtonBlockElement("done", "p1", slack.NewTextBlockObject("plain_text", "Done", false, false)),
			slack.NewOverflowBlockElement("more", opt("cancel"), opt("reassign")),
			slack.NewOptionsSelectBlockElement("static_select", slack.NewTextBlockObject("plain_text", "Snooze", false, false),
				"snooze", opt("1h"), opt("tomorrow"))))

	tests := []struct {
		actionID, value, kind, want string
	}{
		{"done", "", "button", "p1"},
		{"more", "reassign", "overflow", "reassign"},
		{"snooze", "", "static_select", "1h"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			ctx := ctxT(t)
			ch, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("promise", false), blocks)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := s.Message(ch, ts)
			if _, err := s.Click(ctx, "U2", msg, tt.actionID, tt.value); err != nil {
				t.Fatal(err)
			}
			cb := <-got
			a := cb.ActionCallback.BlockActions[0]
			if cb.Type != slack.InteractionTypeBlockActions || cb.User.ID != "U2" || cb.Container.ChannelID != "C1" ||
				cb.Container.MessageTs != ts || cb.Message.Timestamp != ts || cb.TriggerID == "" ||
				a.ActionID != tt.actionID || a.BlockID != "acts" || string(a.Type) != tt.kind || a.Value+a.SelectedOption.Value != tt.want {
				t.Errorf("callback = %+v\naction = %+v", cb, a)
			}
			if err := s.Wait(ctx, func() bool { m, _ := s.Message(ch, ts); return m.ViaResponseURL }); err != nil {
				t.Fatal(err)
			}
			if m, _ := s.Message(ch, ts); m.Text != "done: "+tt.want || m.Updates != 1 || m.BlocksJSON != nil {
				t.Errorf("replaced message = %+v", m)
			}
		})
	}
	if _, err := s.Click(ctxT(t), "U2", Message{Channel: "C1", TS: "1.000001"}, "done", ""); err == nil {
		t.Error("click on a missing message succeeded")
	}
}

func TestMessageShortcut(t *testing.T) {
	s, _ := newSim(t, Options{})
	got := make(chan slack.InteractionCallback, 1)
	startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		got <- evt.Data.(slack.InteractionCallback)
		ack(sm, evt)
	})
	m := Message{Channel: "C1", TS: "1719835200.000100", User: "U2", Text: "I'll send the deck friday"}
	if _, err := s.MessageShortcut(ctxT(t), "U1", "track", m); err != nil {
		t.Fatal(err)
	}
	cb := <-got
	if cb.Type != slack.InteractionTypeMessageAction || cb.CallbackID != "track" || cb.Message.Text != m.Text ||
		cb.Message.User != "U2" || cb.Channel.ID != "C1" || cb.MessageTs != m.TS || cb.ResponseURL == "" {
		t.Errorf("callback = %+v", cb)
	}
}

// TestRawSocket checks the wire format against Slack's documented frames,
// below what slack-go would forgive.
func TestRawSocket(t *testing.T) {
	s, _ := newSim(t, Options{PingInterval: 20 * time.Millisecond})
	req, _ := http.NewRequest("POST", s.URL()+"apps.connections.open", nil)
	req.Header.Set("Authorization", "Bearer xapp-1-sim")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var open struct {
		OK  bool
		URL string
	}
	_ = json.NewDecoder(resp.Body).Decode(&open)
	resp.Body.Close()
	u, _ := url.Parse(open.URL)
	if !open.OK || u.Scheme != "ws" || u.Query().Get("ticket") == "" || u.Query().Get("app_id") != "A0KEPT" {
		t.Fatalf("apps.connections.open = %+v", open)
	}

	ws, _, err := websocket.DefaultDialer.Dial(open.URL+"&debug_reconnects=true", http.Header{"Origin": {"https://api.slack.com"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	pings := make(chan struct{}, 10)
	ws.SetPingHandler(func(string) error { pings <- struct{}{}; return nil })
	var hello map[string]any
	if err := ws.ReadJSON(&hello); err != nil {
		t.Fatal(err)
	}
	if hello["type"] != "hello" || hello["num_connections"] != 1.0 ||
		hello["connection_info"].(map[string]any)["app_id"] != "A0KEPT" || hello["debug_info"] == nil {
		t.Errorf("hello = %v", hello)
	}
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	for range 2 {
		select {
		case <-pings:
		case <-time.After(5 * time.Second):
			t.Fatal("no ping from the server")
		}
	}

	_ = ws.WriteJSON(map[string]any{"envelope_id": "nope"})
	big := map[string]any{"envelope_id": "big", "payload": map[string]string{"text": strings.Repeat("x", 21000)}}
	_ = ws.WriteJSON(big)
	if err := s.Wait(ctxT(t), func() bool { return len(s.Errors()) == 2 }); err != nil {
		t.Fatalf("errors = %v", s.Errors())
	}

	_, _, err = websocket.DefaultDialer.Dial(open.URL, nil)
	if err == nil {
		t.Error("a ticket was accepted twice")
	}
}

func TestUnknownMethod(t *testing.T) {
	s, _ := newSim(t, Options{})
	resp, err := http.PostForm(s.URL()+"chat.teleport", url.Values{"token": {"xoxb-sim"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		OK    bool
		Error string
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if body.OK || body.Error != "unknown_method" || len(s.Errors()) != 1 {
		t.Errorf("answer = %+v, errors = %v", body, s.Errors())
	}
	if calls := s.Calls(); len(calls) != 1 || calls[0].Method != "chat.teleport" || calls[0].Error != "unknown_method" {
		t.Errorf("calls = %+v", calls)
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name, text, blocks, want string
	}{
		{"text only", "ship &amp; <@U1> &lt;3", "", "ship & @ana <3"},
		{"date fallback", "due <!date^1719835200^{date_short} at {time}|Jul 1 at 12:00 UTC>", "", "due Jul 1 at 12:00 UTC"},
		{"link", "<https://x.test|the doc> and <#C1|general>", "", "the doc (https://x.test) and #general"},
		{"blocks", "fallback", `[
			{"type":"header","text":{"type":"plain_text","text":"Promise"}},
			{"type":"section","text":{"type":"mrkdwn","text":"*Deck* for <@U2>"},"accessory":{"type":"overflow","action_id":"o","options":[{"text":{"type":"plain_text","text":"Cancel"},"value":"c"}]}},
			{"type":"context","elements":[{"type":"mrkdwn","text":"due soon"},{"type":"plain_text","text":"by ana"}]},
			{"type":"divider"},
			{"type":"actions","elements":[
				{"type":"button","action_id":"d","text":{"type":"plain_text","text":"Done"}},
				{"type":"static_select","action_id":"s","placeholder":{"type":"plain_text","text":"Snooze"},
				 "options":[{"text":{"type":"plain_text","text":"1 hour"},"value":"1h"},{"text":{"type":"plain_text","text":"tomorrow 9:00"},"value":"t"},{"text":{"type":"plain_text","text":"next week"},"value":"w"}]}]}]`,
			"== Promise ==\n*Deck* for @bo  [⋯: Cancel]\n  due soon · by ana\n----------------\n[Done] [Snooze ▾: 1 hour | tomorrow 9:00 | next week]"},
	}
	s, _ := newSim(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Message{Text: tt.text}
			if tt.blocks != "" {
				m.BlocksJSON = json.RawMessage(tt.blocks)
			}
			if got := s.Render(m); got != tt.want {
				t.Errorf("Render =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	if got := Render(Message{Text: "<@U1>"}); got != "@U1" {
		t.Errorf("package Render = %q", got)
	}
}

func TestSubscribe(t *testing.T) {
	s, _ := newSim(t, Options{})
	ch, cancel := s.Subscribe()
	defer cancel()
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	_, ts, err := api.PostMessage("C1", slack.MsgOptionText("hi", false))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-ch:
		if m.TS != ts || m.Text != "hi" {
			t.Errorf("got %+v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no message")
	}
}

func TestDropBeforeAck(t *testing.T) {
	s, _ := newSim(t, Options{})
	var mu sync.Mutex
	seen := 0
	startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		mu.Lock()
		seen++
		first := seen == 1
		mu.Unlock()
		if first {
			s.DropConnections()
			return
		}
		ack(sm, evt)
	})
	ctx := ctxT(t)
	reconnected := func(n int) func() bool {
		return func() bool { return s.ConnectionsOpened() == n && s.Connections() == 1 }
	}

	if _, err := s.SlashCommand(ctx, "U1", "C1", "/kept", ""); !errors.Is(err, ErrNoAck) {
		t.Errorf("slash command on a dropped socket: err = %v, want ErrNoAck", err)
	}
	if err := s.Wait(ctx, reconnected(2)); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	seen = 0
	mu.Unlock()
	if err := s.OpenHome(ctx, "U1"); err != nil {
		t.Errorf("event on a dropped socket was not redelivered: %v", err)
	}
	if err := s.Wait(ctx, reconnected(3)); err != nil {
		t.Fatal(err)
	}
}

func TestRoundRobin(t *testing.T) {
	s, _ := newSim(t, Options{})
	var mu sync.Mutex
	got := map[string]int{}
	for _, name := range []string{"a", "b"} {
		startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
			mu.Lock()
			got[name]++
			mu.Unlock()
			ack(sm, evt)
		})
	}
	ctx := ctxT(t)
	if err := s.Wait(ctx, func() bool { return s.Connections() == 2 }); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if _, err := s.SlashCommand(ctx, "U1", "C1", "/kept", ""); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got["a"] != 2 || got["b"] != 2 {
		t.Errorf("deliveries = %v, want 2 each", got)
	}
}

func TestInteract(t *testing.T) {
	s, _ := newSim(t, Options{})
	got := make(chan slack.InteractionCallback, 1)
	startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		got <- evt.Data.(slack.InteractionCallback)
		ack(sm, evt)
	})
	tests := []struct {
		name    string
		payload any
	}{
		{"typed", slack.InteractionCallback{Type: slack.InteractionTypeShortcut, CallbackID: "new", User: slack.User{ID: "U1"}}},
		{"raw", json.RawMessage(`{"type":"shortcut","callback_id":"new","user":{"id":"U1"}}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Interact(ctxT(t), tt.payload); err != nil {
				t.Fatal(err)
			}
			cb := <-got
			if cb.Type != slack.InteractionTypeShortcut || cb.CallbackID != "new" || cb.User.ID != "U1" ||
				cb.User.Name != "ana" || cb.Team.ID != "T0KEPT" || cb.APIAppID != "A0KEPT" || cb.TriggerID == "" {
				t.Errorf("callback = %+v", cb)
			}
		})
	}
	if _, err := s.Interact(ctxT(t), map[string]any{"type": "shortcut"}); err == nil {
		t.Error("payload without a user was sent")
	}
}

func TestClickView(t *testing.T) {
	s, _ := newSim(t, Options{})
	got := make(chan slack.InteractionCallback, 1)
	api := startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		got <- evt.Data.(slack.InteractionCallback)
		ack(sm, evt)
	})
	ctx := ctxT(t)
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewActionBlock("", slack.NewButtonBlockElement("new", "x", slack.NewTextBlockObject("plain_text", "New promise", false, false)))}}}
	v, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.RenderView(s.Views()[0]); got != "[New promise]" {
		t.Errorf("RenderView = %q", got)
	}
	if _, err := s.ClickView(ctx, "U1", v.ID, "new", ""); err != nil {
		t.Fatal(err)
	}
	cb := <-got
	if cb.Container.Type != "view" || cb.Container.ViewID != v.ID || cb.View.ID != v.ID || cb.View.Type != slack.VTHomeTab ||
		len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].ActionID != "new" {
		t.Errorf("callback = %+v", cb)
	}

	// The home view reaches app_home_opened once published.
	evs := make(chan *slackevents.AppHomeOpenedEvent, 1)
	s2, _ := newSim(t, Options{})
	api2 := startApp(t, s2, func(sm *socketmode.Client, evt socketmode.Event) {
		evs <- evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
		ack(sm, evt)
	})
	v2, err := api2.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.OpenHome(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	if ev := <-evs; ev.View == nil || ev.View.ID != v2.ID || ev.Channel != s2.DMChannel("U1") {
		t.Errorf("app_home_opened = %+v", ev)
	}
}

func TestInvalidBlocks(t *testing.T) {
	s, _ := newSim(t, Options{})
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	btn := func(id string) slack.BlockElement {
		return slack.NewButtonBlockElement(id, "v", slack.NewTextBlockObject("plain_text", "Go", false, false))
	}
	tests := []struct {
		name   string
		blocks []slack.Block
	}{
		{"duplicate block_id", []slack.Block{slack.NewDividerBlock(), slack.NewActionBlock("a", btn("x")), slack.NewActionBlock("a", btn("y"))}},
		{"duplicate action_id", []slack.Block{slack.NewActionBlock("a", btn("x"), btn("x"))}},
		{"long section", []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", strings.Repeat("x", 3001), false, false), nil, nil)}},
		{"too many blocks", func() []slack.Block {
			var bs []slack.Block
			for range 51 {
				bs = append(bs, slack.NewDividerBlock())
			}
			return bs
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := api.PostMessageContext(ctxT(t), "C1", slack.MsgOptionText("x", false), slack.MsgOptionBlocks(tt.blocks...))
			if err == nil || err.Error() != "invalid_blocks" {
				t.Errorf("err = %v, want invalid_blocks", err)
			}
		})
	}
	if len(s.Messages()) != 0 {
		t.Errorf("rejected messages were recorded: %+v", s.Messages())
	}
}

// TestUserGroupMembers: usergroups.users.list as slack-go calls it, an
// unknown group, and the scope it needs.
func TestUserGroupMembers(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetUserGroup("S0LEADS", "U1", "W2")
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	got, err := api.GetUserGroupMembersContext(ctxT(t), "S0LEADS")
	if err != nil || len(got) != 2 || got[0] != "U1" || got[1] != "W2" {
		t.Errorf("members = %v, %v", got, err)
	}
	if _, err := api.GetUserGroupMembersContext(ctxT(t), "S404"); err == nil || err.Error() != "no_such_subteam" {
		t.Errorf("unknown group: %v", err)
	}
	narrow, err := New(Options{Scopes: []string{"chat:write"}})
	if err != nil {
		t.Fatal(err)
	}
	defer narrow.Close()
	narrow.SetUserGroup("S0LEADS", "U1")
	if _, err := slack.New("xoxb-sim", slack.OptionAPIURL(narrow.URL())).GetUserGroupMembersContext(ctxT(t), "S0LEADS"); err == nil || err.Error() != "missing_scope" {
		t.Errorf("without usergroups:read: %v", err)
	}
}

// A metadata event_type Slack does not take (a period in it) posts the
// message without its metadata and only warns, as Slack does; the
// simulator records it as a mistake, since such a message can never be
// found again by its metadata.
func TestMetadataEventTypeRefused(t *testing.T) {
	s, _ := newSim(t, Options{})
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	meta := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "kept.nudge", EventPayload: map[string]any{"nudge_id": 1}})
	ch, ts, err := api.PostMessageContext(ctxT(t), "U1", slack.MsgOptionText("hello", false), meta)
	if err != nil {
		t.Fatalf("post: %v, want it posted (Slack only warns)", err)
	}
	if m, ok := s.Message(ch, ts); !ok || m.Metadata != nil {
		t.Errorf("message = %+v, want it without metadata", m)
	}
	if errs := s.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "invalid_metadata_schema") {
		t.Errorf("errors = %v, want the dropped metadata", errs)
	}
}
