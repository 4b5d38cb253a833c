package slacksim

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Block Kit that Slack refuses must be refused here, each kind of mistake
// with the error Slack answers and a pointer to the field.

func sec(text string) string {
	b, _ := json.Marshal(text)
	return `{"type":"section","text":{"type":"mrkdwn","text":` + string(b) + `}}`
}

func btn(text, value string) string {
	t, _ := json.Marshal(text)
	v, _ := json.Marshal(value)
	return `{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":` + string(t) + `},"value":` + string(v) + `}]}`
}

func repeatBlocks(block string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = block
	}
	return "[" + strings.Join(parts, ",") + "]"
}

var invalidMessageBlocks = []struct {
	name, blocks, pointer string
}{
	{"section text 3001", "[" + sec(strings.Repeat("x", 3001)) + "]", "/blocks/0/text/text"},
	{"section text counted after escaping", "[" + sec(strings.Repeat("&amp;", 601)) + "]", "/blocks/0/text/text"},
	{"empty section text", "[" + sec("") + "]", "/blocks/0/text/text"},
	{"section without text or fields", `[{"type":"section"}]`, "/blocks/0"},
	{"11 fields", `[{"type":"section","fields":[` + strings.TrimSuffix(strings.Repeat(`{"type":"mrkdwn","text":"f"},`, 11), ",") + `]}]`, "/blocks/0/fields"},
	{"field 2001", `[{"type":"section","fields":[{"type":"mrkdwn","text":"` + strings.Repeat("f", 2001) + `"}]}]`, "/blocks/0/fields/0/text"},
	{"header 151", `[{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("h", 151) + `"}}]`, "/blocks/0/text/text"},
	{"mrkdwn header", `[{"type":"header","text":{"type":"mrkdwn","text":"*h*"}}]`, "/blocks/0/text/type"},
	{"bad text type", `[{"type":"section","text":{"type":"markdown","text":"x"}}]`, "/blocks/0/text/type"},
	{"button text 76", "[" + btn(strings.Repeat("b", 76), "v") + "]", "/blocks/0/elements/0/text/text"},
	{"mrkdwn button", `[{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"mrkdwn","text":"go"}}]}]`, "/blocks/0/elements/0/text/type"},
	{"button value 2001", "[" + btn("Go", strings.Repeat("v", 2001)) + "]", "/blocks/0/elements/0/value"},
	{"button style", `[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"go"},"style":"green"}]}]`, "/blocks/0/elements/0/style"},
	{"action_id 256", `[{"type":"actions","elements":[{"type":"button","action_id":"` + strings.Repeat("a", 256) + `","text":{"type":"plain_text","text":"go"}}]}]`, "/blocks/0/elements/0/action_id"},
	{"block_id 256", `[{"type":"divider","block_id":"` + strings.Repeat("b", 256) + `"}]`, "/blocks/0/block_id"},
	{"duplicate block_id", `[{"type":"divider","block_id":"x"},{"type":"divider","block_id":"x"}]`, "/blocks/1/block_id"},
	{"duplicate action_id", `[{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"1"}},{"type":"button","action_id":"a","text":{"type":"plain_text","text":"2"}}]}]`, "/blocks/0/elements/1/action_id"},
	{"51 blocks", repeatBlocks(`{"type":"divider"}`, 51), "/blocks"},
	{"11 context elements", `[{"type":"context","elements":[` + strings.TrimSuffix(strings.Repeat(`{"type":"mrkdwn","text":"c"},`, 11), ",") + `]}]`, "/blocks/0/elements"},
	{"context text 3001", `[{"type":"context","elements":[{"type":"mrkdwn","text":"` + strings.Repeat("c", 3001) + `"}]}]`, "/blocks/0/elements/0/text"},
	{"button in context", `[{"type":"context","elements":[{"type":"button","text":{"type":"plain_text","text":"go"}}]}]`, "/blocks/0/elements/0/type"},
	{"empty context", `[{"type":"context","elements":[]}]`, "/blocks/0/elements"},
	{"26 actions", `[{"type":"actions","elements":[` + strings.TrimSuffix(strings.Repeat(`{"type":"button","text":{"type":"plain_text","text":"b"}},`, 26), ",") + `]}]`, "/blocks/0/elements"},
	{"input element in actions", `[{"type":"actions","elements":[{"type":"plain_text_input","action_id":"a"}]}]`, "/blocks/0/elements/0/type"},
	{"text input as accessory", `[{"type":"section","text":{"type":"mrkdwn","text":"x"},"accessory":{"type":"plain_text_input"}}]`, "/blocks/0/accessory/type"},
	{"overflow with 6 options", `[{"type":"actions","elements":[{"type":"overflow","options":[` + strings.TrimSuffix(strings.Repeat(`{"text":{"type":"plain_text","text":"o"},"value":"v"},`, 6), ",") + `]}]}]`, "/blocks/0/elements/0/options"},
	{"select with 101 options", `[{"type":"actions","elements":[{"type":"static_select","options":[` + strings.TrimSuffix(strings.Repeat(`{"text":{"type":"plain_text","text":"o"},"value":"v"},`, 101), ",") + `]}]}]`, "/blocks/0/elements/0/options"},
	{"option text 76", `[{"type":"actions","elements":[{"type":"overflow","options":[{"text":{"type":"plain_text","text":"` + strings.Repeat("o", 76) + `"},"value":"v"}]}]}]`, "/blocks/0/elements/0/options/0/text/text"},
	{"option value 151", `[{"type":"actions","elements":[{"type":"overflow","options":[{"text":{"type":"plain_text","text":"o"},"value":"` + strings.Repeat("v", 151) + `"}]}]}]`, "/blocks/0/elements/0/options/0/value"},
	{"initial_option not among the options", `[{"type":"actions","elements":[{"type":"static_select","options":[{"text":{"type":"plain_text","text":"Key"},"value":"key"}],"initial_option":{"text":{"type":"plain_text","text":"Std"},"value":"standard"}}]}]`, "/blocks/0/elements/0/initial_option"},
	{"max_selected_items 0", `[{"type":"actions","elements":[{"type":"multi_conversations_select","max_selected_items":0}]}]`, "/blocks/0/elements/0/max_selected_items"},
	{"placeholder 151", `[{"type":"actions","elements":[{"type":"users_select","placeholder":{"type":"plain_text","text":"` + strings.Repeat("p", 151) + `"}}]}]`, "/blocks/0/elements/0/placeholder/text"},
	{"initial_date format", `[{"type":"actions","elements":[{"type":"datepicker","initial_date":"12/25/2024"}]}]`, "/blocks/0/elements/0/initial_date"},
	{"initial_date not a day", `[{"type":"actions","elements":[{"type":"datepicker","initial_date":"2024-02-30"}]}]`, "/blocks/0/elements/0/initial_date"},
	{"initial_time format", `[{"type":"actions","elements":[{"type":"timepicker","initial_time":"9:00"}]}]`, "/blocks/0/elements/0/initial_time"},
	{"initial_time 24:00", `[{"type":"actions","elements":[{"type":"timepicker","initial_time":"24:00"}]}]`, "/blocks/0/elements/0/initial_time"},
	{"confirm text 301", `[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"go"},"confirm":{"title":{"type":"plain_text","text":"t"},"text":{"type":"plain_text","text":"` + strings.Repeat("c", 301) + `"},"confirm":{"type":"plain_text","text":"y"},"deny":{"type":"plain_text","text":"n"}}}]}]`, "/blocks/0/elements/0/confirm/text/text"},
	{"unknown block type", `[{"type":"carousel_of_doom"}]`, "/blocks/0"},
	{"unknown field", `[{"type":"divider","colour":"red"}]`, "/blocks/0/colour"},
	{"verbatim on plain_text", `[{"type":"section","text":{"type":"plain_text","text":"x","verbatim":true}}]`, "/blocks/0/text/verbatim"},
	{"image without alt_text", `[{"type":"image","image_url":"https://example.com/a.png"}]`, "/blocks/0/alt_text"},
	{"input label 2001", `[{"type":"input","label":{"type":"plain_text","text":"` + strings.Repeat("l", 2001) + `"},"element":{"type":"plain_text_input"}}]`, "/blocks/0/label/text"},
	{"not an array", `{"type":"divider"}`, "/blocks"},
}

func TestInvalidMessageBlocksKinds(t *testing.T) {
	s, _ := newSim(t, Options{})
	for _, tt := range invalidMessageBlocks {
		t.Run(tt.name, func(t *testing.T) {
			r := postForm(t, s, "chat.postMessage", url.Values{"channel": {"C1"}, "text": {"x"}, "blocks": {tt.blocks}})
			se := slack.SlackErrorResponse{Err: r.Error, Errors: r.Errors, ResponseMetadata: r.ResponseMetadata}
			if se.Err != "invalid_blocks" {
				t.Fatalf("err = %v, want invalid_blocks", se.Err)
			}
			want := "[json-pointer:" + tt.pointer + "]"
			found := false
			for _, m := range se.ResponseMetadata.Messages {
				if strings.HasPrefix(m, "[ERROR] ") && strings.HasSuffix(m, want) {
					found = true
				}
			}
			if !found {
				t.Errorf("response_metadata.messages = %q, want one ending %s", se.ResponseMetadata.Messages, want)
			}
			if len(se.Errors) == 0 {
				t.Error("no errors array")
			}
		})
	}
	if len(s.Messages()) != 0 {
		t.Errorf("refused messages were recorded: %+v", s.Messages())
	}
}

// postForm calls method with form values as slack-go does for chat.*,
// so that blocks reach the simulator exactly as given, with mistakes
// slack-go's types cannot express.
func postForm(t *testing.T, s *Server, method string, v url.Values) slack.SlackResponse {
	t.Helper()
	v.Set("token", "xoxb-sim")
	req, _ := http.NewRequest(http.MethodPost, s.URL()+method, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return roundTrip(t, req)
}

// roundTrip sends req and decodes Slack's answer.
func roundTrip(t *testing.T, req *http.Request) slack.SlackResponse {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r slack.SlackResponse
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestValidMessageBlocksAccepted(t *testing.T) {
	valid := []string{
		"[" + sec(strings.Repeat("x", 3000)) + "]",
		"[" + sec(strings.Repeat("&amp;", 600)) + "]",
		`[{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("h", 150) + `","emoji":true}}]`,
		"[" + btn(strings.Repeat("b", 75), strings.Repeat("v", 2000)) + "]",
		repeatBlocks(`{"type":"divider"}`, 50),
		`[{"type":"context","elements":[` + strings.TrimSuffix(strings.Repeat(`{"type":"mrkdwn","text":"c"},`, 10), ",") + `]}]`,
		`[{"type":"actions","elements":[{"type":"datepicker","action_id":"d","initial_date":"2024-02-29"},{"type":"timepicker","action_id":"t","initial_time":"23:59","timezone":"Europe/Paris"}]}]`,
		`[{"type":"section","text":{"type":"mrkdwn","text":"é🙂"},"accessory":{"type":"overflow","action_id":"o","options":[{"text":{"type":"plain_text","text":"x"},"value":"v"}]}}]`,
		`[{"type":"context","elements":[{"type":"image","image_url":"https://example.com/a.png","alt_text":"a"},{"type":"plain_text","text":"p"}]}]`,
		`[{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":[{"text":{"type":"plain_text","text":"Key"},"value":"key"}],"initial_option":{"value":"key","text":{"text":"Key","type":"plain_text"}}},{"type":"multi_users_select","action_id":"u","max_selected_items":1}]}]`,
	}
	for i, b := range valid {
		if ke := ValidateMessageBlocks(json.RawMessage(b)); ke != nil {
			t.Errorf("valid blocks %d refused: %v", i, ke)
		}
	}
}

func TestMessageTextTooLong(t *testing.T) {
	s, _ := newSim(t, Options{})
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	ctx := ctxT(t)
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText(strings.Repeat("x", 40001), false)); err == nil || err.Error() != "msg_too_long" {
		t.Errorf("40,001 characters: %v, want msg_too_long", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText(strings.Repeat("x", 40000), false)); err != nil {
		t.Errorf("40,000 characters: %v", err)
	}
	_, ts, _ := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText(strings.Repeat("é", 40001), false)); err == nil || err.Error() != "msg_too_long" {
		t.Errorf("chat.update of 40,001 characters: %v", err)
	}
	if r := postForm(t, s, "chat.postEphemeral", url.Values{"channel": {"C1"}, "user": {"U1"}, "text": {"x"},
		"blocks": {"[" + sec(strings.Repeat("x", 3001)) + "]"}}); r.Error != "invalid_blocks" {
		t.Errorf("chat.postEphemeral with a long section: %+v", r)
	}
	if r := postForm(t, s, "chat.update", url.Values{"channel": {"C1"}, "ts": {ts}, "text": {"x"},
		"blocks": {`[{"type":"header","text":{"type":"mrkdwn","text":"x"}}]`}}); r.Error != "invalid_blocks" {
		t.Errorf("chat.update with a mrkdwn header: %+v", r)
	}
}

func modalJSON(mutate func(map[string]any)) json.RawMessage {
	v := map[string]any{
		"type":   "modal",
		"title":  map[string]any{"type": "plain_text", "text": "New promise"},
		"submit": map[string]any{"type": "plain_text", "text": "Save"},
		"blocks": []any{map[string]any{"type": "input", "block_id": "b",
			"label":   map[string]any{"type": "plain_text", "text": "What"},
			"element": map[string]any{"type": "plain_text_input", "action_id": "a"}}},
	}
	mutate(v)
	b, _ := json.Marshal(v)
	return b
}

func TestInvalidViews(t *testing.T) {
	long := func(n int) map[string]any {
		return map[string]any{"type": "plain_text", "text": strings.Repeat("t", n)}
	}
	many := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"type": "divider"}
		}
		return out
	}
	tests := []struct {
		name    string
		mutate  func(map[string]any)
		pointer string
	}{
		{"title 25", func(v map[string]any) { v["title"] = long(25) }, "/view/title/text"},
		{"no title", func(v map[string]any) { delete(v, "title") }, "/view/title"},
		{"mrkdwn title", func(v map[string]any) { v["title"] = map[string]any{"type": "mrkdwn", "text": "x"} }, "/view/title/type"},
		{"submit 25", func(v map[string]any) { v["submit"] = long(25) }, "/view/submit/text"},
		{"close 25", func(v map[string]any) { v["close"] = long(25) }, "/view/close/text"},
		{"input without submit", func(v map[string]any) { delete(v, "submit") }, "/view/submit"},
		{"private_metadata 3001", func(v map[string]any) { v["private_metadata"] = strings.Repeat("m", 3001) }, "/view/private_metadata"},
		{"callback_id 256", func(v map[string]any) { v["callback_id"] = strings.Repeat("c", 256) }, "/view/callback_id"},
		{"101 blocks", func(v map[string]any) { v["blocks"] = many(101) }, "/view/blocks"},
		{"no blocks", func(v map[string]any) { delete(v, "blocks") }, "/view/blocks"},
		{"wrong type", func(v map[string]any) { v["type"] = "home" }, "/view/type"},
		{"input label 2001", func(v map[string]any) {
			v["blocks"].([]any)[0].(map[string]any)["label"] = long(2001)
		}, "/view/blocks/0/label/text"},
		{"initial_date", func(v map[string]any) {
			v["blocks"].([]any)[0].(map[string]any)["element"] = map[string]any{"type": "datepicker", "action_id": "d", "initial_date": "2024-7-1"}
		}, "/view/blocks/0/element/initial_date"},
		{"initial_time", func(v map[string]any) {
			v["blocks"].([]any)[0].(map[string]any)["element"] = map[string]any{"type": "timepicker", "action_id": "t", "initial_time": "5pm"}
		}, "/view/blocks/0/element/initial_time"},
		{"button as input element", func(v map[string]any) {
			v["blocks"].([]any)[0].(map[string]any)["element"] = map[string]any{"type": "button", "text": long(2)}
		}, "/view/blocks/0/element/type"},
		{"markdown block in a modal", func(v map[string]any) {
			v["blocks"] = []any{map[string]any{"type": "markdown", "text": "**x**"}}
		}, "/view/blocks/0/type"},
	}
	s, _ := newSim(t, Options{})
	triggers := make(chan string, 1)
	triggerApp(t, s, triggers)
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := ctxT(t)
			if _, err := s.SlashCommand(ctx, "U1", "C1", "/kept", ""); err != nil {
				t.Fatal(err)
			}
			tid := <-triggers
			body := map[string]any{"trigger_id": tid, "view": modalJSON(tt.mutate)}
			se := callJSON(t, s, "views.open", body)
			if se.Err != "invalid_arguments" || !hasPointer(se.ResponseMetadata.Messages, tt.pointer) {
				t.Errorf("views.open = %+v, want invalid_arguments at %s", se, tt.pointer)
			}
			if _, err := api.OpenViewContext(ctx, tid, modal()); err != nil {
				t.Errorf("a refused views.open used the trigger: %v", err)
			}
		})
	}
	if ke := ValidateView(modalJSON(func(map[string]any) {}), "modal"); ke != nil {
		t.Errorf("the valid modal is refused: %v", ke)
	}
	home := json.RawMessage(`{"type":"home","blocks":` + repeatBlocks(`{"type":"divider"}`, 101) + `}`)
	if se := callJSON(t, s, "views.publish", map[string]any{"user_id": "U1", "view": home}); se.Err != "invalid_arguments" || !hasPointer(se.ResponseMetadata.Messages, "/view/blocks") {
		t.Errorf("views.publish of 101 blocks = %+v", se)
	}
	home = json.RawMessage(`{"type":"home","blocks":` + repeatBlocks(`{"type":"divider"}`, 100) + `}`)
	if se := callJSON(t, s, "views.publish", map[string]any{"user_id": "U1", "view": home}); se.Err != "" {
		t.Errorf("views.publish of 100 blocks = %+v", se)
	}
}

func hasPointer(msgs []string, ptr string) bool {
	for _, m := range msgs {
		if strings.HasSuffix(m, "[json-pointer:"+ptr+"]") {
			return true
		}
	}
	return false
}

// callJSON posts a JSON body as slack-go does for views.*, and decodes
// the answer's error part.
func callJSON(t *testing.T, s *Server, method string, body any) slack.SlackErrorResponse {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.URL()+method, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer xoxb-sim")
	r := roundTrip(t, req)
	return slack.SlackErrorResponse{Err: r.Error, ResponseMetadata: r.ResponseMetadata}
}

func TestSlashAckBlocksChecked(t *testing.T) {
	s, _ := newSim(t, Options{})
	startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		text := evt.Data.(slack.SlashCommand).Text
		var blocks json.RawMessage
		switch text {
		case "long":
			blocks = json.RawMessage("[" + sec(strings.Repeat("&amp;", 601)) + "]")
		case "header":
			blocks = json.RawMessage(`[{"type":"header","text":{"type":"mrkdwn","text":"x"}}]`)
		case "unknown":
			blocks = json.RawMessage(`[{"type":"carousel","text":{"type":"mrkdwn","text":"x"}}]`)
		case "not a list":
			blocks = json.RawMessage(`{"type":"section"}`)
		case "no text, undecodable":
			ack(sm, evt, map[string]any{"blocks": json.RawMessage(`[{"type":"section","text":{"type":"mrkdwn","text":7}}]`)})
			return
		default:
			blocks = json.RawMessage("[" + sec("fine") + "]")
		}
		ack(sm, evt, map[string]any{"text": "t", "blocks": blocks})
	})
	ctx := ctxT(t)
	refused := []string{"long", "header", "unknown", "not a list", "no text, undecodable"}
	for _, text := range refused {
		r, err := s.SlashCommand(ctx, "U1", "C1", "/kept", text)
		if err != nil || r.Error != "invalid_blocks" {
			t.Errorf("%s: reply error %q, %v; want invalid_blocks", text, r.Error, err)
		}
	}
	if len(s.Messages()) != 0 || len(s.Errors()) != len(refused) {
		t.Errorf("refused acks: messages %d, errors %v", len(s.Messages()), s.Errors())
	}
	if r, err := s.SlashCommand(ctx, "U1", "C1", "/kept", "ok"); err != nil || r.Error != "" || len(s.Messages()) != 1 {
		t.Errorf("valid ack: %+v, %v", r, err)
	}
}

func TestPrivateChannelScopes(t *testing.T) {
	s, _ := newSim(t, Options{Scopes: []string{"chat:write", "channels:history", "channels:read"}})
	s.AddChannel(Channel{ID: "C9", Name: "secret", Private: true, Members: []string{"U1", "U0KEPTBOT"}})
	s.AddChannel(Channel{ID: "C8", Name: "hidden", Private: true, Members: []string{"U1"}})
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	ctx := ctxT(t)
	hist := func(ch string) error {
		_, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch})
		return err
	}
	var se slack.SlackErrorResponse
	if err := hist("C9"); !errors.As(err, &se) || se.Err != "missing_scope" || se.Needed != "groups:history" {
		t.Errorf("private history without groups:history: %+v", err)
	}
	if err := hist("C1"); err != nil {
		t.Errorf("public history with channels:history: %v", err)
	}
	dm := s.DMChannel("U1")
	if err := hist(dm); !errors.As(err, &se) || se.Needed != "im:history" {
		t.Errorf("DM history without im:history: %v", err)
	}
	if _, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C9"}); !errors.As(err, &se) || se.Needed != "groups:read" {
		t.Errorf("private info without groups:read: %v", err)
	}

	s2, _ := newSim(t, Options{})
	s2.AddChannel(Channel{ID: "C9", Name: "secret", Private: true, Members: []string{"U1", "U0KEPTBOT"}})
	s2.AddChannel(Channel{ID: "C8", Name: "hidden", Private: true, Members: []string{"U1"}})
	api2 := slack.New("xoxb-sim", slack.OptionAPIURL(s2.URL()))
	if _, _, err := api2.PostMessageContext(ctx, "C8", slack.MsgOptionText("x", false)); err == nil || err.Error() != "channel_not_found" {
		t.Errorf("post to a private channel the bot is not in: %v, want channel_not_found", err)
	}
	if _, _, err := api2.PostMessageContext(ctx, "C2", slack.MsgOptionText("x", false)); err == nil || err.Error() != "not_in_channel" {
		t.Errorf("post to a public channel the bot is not in: %v, want not_in_channel", err)
	}
	if _, _, err := api2.PostMessageContext(ctx, "C9", slack.MsgOptionText("x", false)); err != nil {
		t.Errorf("post to a private channel the bot is in: %v", err)
	}
	info, err := api2.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C9"})
	if err != nil || !info.IsPrivate {
		t.Errorf("conversations.info of a private channel: %+v, %v", info, err)
	}
	if _, err := api2.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C8"}); err == nil || err.Error() != "channel_not_found" {
		t.Errorf("info of a private channel the bot is not in: %v", err)
	}
}

func TestRevokedToken(t *testing.T) {
	for _, code := range []string{"token_revoked", "account_inactive"} {
		t.Run(code, func(t *testing.T) {
			s, _ := newSim(t, Options{})
			api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()), slack.OptionAppLevelToken("xapp-1-sim"))
			ctx := ctxT(t)
			s.RevokeToken(code)
			if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false)); err == nil || err.Error() != code {
				t.Errorf("chat.postMessage: %v, want %s", err, code)
			}
			if _, err := api.GetUserInfoContext(ctx, "U1"); err == nil || err.Error() != code {
				t.Errorf("users.info: %v, want %s", err, code)
			}
			if _, err := api.AuthTestContext(ctx); err == nil || err.Error() != code {
				t.Errorf("auth.test: %v, want %s", err, code)
			}
			// The app-level token belongs to the app, not to the install.
			if _, _, err := api.StartSocketModeContext(ctx); err != nil {
				t.Errorf("apps.connections.open: %v", err)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	s, _ := newSim(t, Options{Latency: 150 * time.Millisecond})
	api := slack.New("xoxb-sim", slack.OptionAPIURL(s.URL()))
	start := time.Now()
	if _, err := api.AuthTestContext(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("auth.test answered in %v, latency is 150ms", d)
	}
}

func TestEscapeTyped(t *testing.T) {
	s, _ := newSim(t, Options{})
	s.AddUser(User{ID: "U3", Name: "bob.smith"})
	tests := []struct{ typed, slash, message string }{
		{"AT&T <b>", "AT&amp;T &lt;b&gt;", "AT&amp;T &lt;b&gt;"},
		{"give 4 @bo", "give 4 <@U2|bo>", "give 4 <@U2>"},
		{"ask @bob.smith.", "ask <@U3|bob.smith>.", "ask <@U3>."},
		{"in #general today", "in <#C1|general> today", "in <#C1> today"},
		{"@nobody email@bo.com", "@nobody email@bo.com", "@nobody email@bo.com"},
		{"(@ana) @channel", "(<@U1|ana>) <!channel>", "(<@U1>) <!channel>"},
		{"<@U2> typed by hand", "&lt;@U2&gt; typed by hand", "&lt;@U2&gt; typed by hand"},
	}
	for _, tt := range tests {
		s.mu.Lock()
		slash, msg := s.escapeTyped(tt.typed, true), s.escapeTyped(tt.typed, false)
		s.mu.Unlock()
		if slash != tt.slash || msg != tt.message {
			t.Errorf("%q: slash %q, message %q; want %q, %q", tt.typed, slash, msg, tt.slash, tt.message)
		}
	}
	m := s.PostTyped("U1", "C1", "Quote for AT&T by friday?")
	var got string
	startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		got = evt.Data.(slack.InteractionCallback).Message.Text
		ack(sm, evt)
	})
	if _, err := s.MessageShortcut(ctxT(t), "U1", "cb", m); err != nil {
		t.Fatal(err)
	}
	if got != "Quote for AT&amp;T by friday?" {
		t.Errorf("message_action text = %q, want it entity-escaped", got)
	}
}

// A view_submission ack's errors show under input blocks only: Slack
// answers a key naming any other block with "We had some trouble
// connecting" in the modal, not the message (bolt-js#544, #1267).
func TestSubmissionErrorsNameInputBlocks(t *testing.T) {
	s, _ := newSim(t, Options{})
	triggers := make(chan string, 8)
	errs := map[string]map[string]string{
		"input":     {"b": "required"},
		"not input": {"intro": "required"},
		"unknown":   {"nope": "required"},
	}
	api := startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		switch d := evt.Data.(type) {
		case slack.SlashCommand:
			triggers <- d.TriggerID
			ack(sm, evt)
		case slack.InteractionCallback:
			ack(sm, evt, slack.NewErrorsViewSubmissionResponse(errs[d.View.State.Values["b"]["a"].Value]))
		}
	})
	ctx := ctxT(t)
	view := modal()
	view.Blocks.BlockSet = append([]slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "Hi", false, false), nil, nil, slack.SectionBlockOptionBlockID("intro"))}, view.Blocks.BlockSet...)
	if _, err := s.SlashCommand(ctx, "U1", "C1", "/kept", ""); err != nil {
		t.Fatal(err)
	}
	v, err := api.OpenViewContext(ctx, <-triggers, view)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"input", "not input", "unknown"} {
		before := len(s.Errors())
		values := map[string]map[string]slack.BlockAction{"b": {"a": {Type: "plain_text_input", Value: name}}}
		r, err := s.SubmitView(ctx, "U1", v.ID, values)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		refused := len(s.Errors()) > before
		if want := name != "input"; refused != want || (r.Error != "") != want {
			t.Errorf("%s: refused %v (reply error %q), want %v; errors %v", name, refused, r.Error, want, s.Errors()[before:])
		}
	}
}
