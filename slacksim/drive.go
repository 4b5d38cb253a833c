package slacksim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/slack-go/slack"
)

// Reply is what the app acknowledged an envelope with.
type Reply struct {
	Envelope string          // envelope id
	Payload  json.RawMessage // raw ack payload; empty if the ack had none

	// Decoded when the payload is a message (slash command acks).
	Text         string
	Blocks       []slack.Block
	ResponseType string

	// Decoded when the payload answers a view_submission.
	ResponseAction string
	Errors         map[string]string
	View           json.RawMessage // the view for response_action update/push

	// Error is set when Slack would refuse the ack's message
	// (invalid_blocks, msg_too_long) and so show the user nothing of it.
	Error string

	blocksJSON json.RawMessage // the payload's blocks as sent, Blocks decoded from it
}

func decodeReply(id string, raw json.RawMessage) Reply {
	r := Reply{Envelope: id, Payload: raw}
	if len(raw) == 0 || string(raw) == "null" {
		return r
	}
	var p struct {
		Text           string            `json:"text"`
		Blocks         json.RawMessage   `json:"blocks"`
		ResponseType   string            `json:"response_type"`
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	if json.Unmarshal(raw, &p) != nil {
		return r
	}
	r.Text, r.ResponseType = p.Text, p.ResponseType
	r.ResponseAction, r.Errors, r.View = p.ResponseAction, p.Errors, p.View
	if r.blocksJSON = p.Blocks; hasBlocks(p.Blocks) {
		var b slack.Blocks
		if json.Unmarshal(p.Blocks, &b) == nil {
			r.Blocks = b.BlockSet
		}
	}
	return r
}

// verificationToken stands in for the deprecated token Slack still sends.
const verificationToken = "simverificationtoken"

// userRef and teamRef are how payloads name the acting user and workspace;
// s.mu must be held.
func (s *Server) userRef(user string) map[string]any {
	return map[string]any{"id": user, "username": s.userName(user), "name": s.userName(user), "team_id": s.opts.TeamID}
}

func (s *Server) teamRef() map[string]any {
	return map[string]any{"id": s.opts.TeamID, "domain": s.opts.TeamDomain}
}

// channelName is what Slack puts in channel_name; s.mu must be held.
func (s *Server) channelName(id string) string {
	if c, ok := s.channels[id]; ok {
		return c.Name
	}
	if _, ok := s.userByDM[id]; ok {
		return "directmessage"
	}
	return "privategroup"
}

// slashPayload is the slash_commands payload for command with text, as
// the user typed it, run by user in channel. Its text is escaped as Slack
// escapes it for a command with should_escape (every Kept command has
// it): entities for &, < and >, markup for @name and #channel.
// s.mu must be held.
func (s *Server) slashPayload(user, channel, command, text string) map[string]string {
	return map[string]string{
		"token": verificationToken, "team_id": s.opts.TeamID, "team_domain": s.opts.TeamDomain,
		"channel_id": channel, "channel_name": s.channelName(channel),
		"user_id": user, "user_name": s.userName(user),
		"command": command, "text": s.escapeTyped(text, true), "api_app_id": s.opts.AppID,
		"is_enterprise_install": "false",
		"response_url":          s.newResponseURL(respTarget{channel: channel, user: user}),
		"trigger_id":            s.newTrigger(user),
	}
}

// SlashCommand runs command (e.g. "/kept") with text as user in channel and
// waits for the ack. A message in the ack is shown as Slack shows it:
// recorded with ViaAck, ephemeral unless response_type is in_channel.
func (s *Server) SlashCommand(ctx context.Context, user, channel, command, text string) (Reply, error) {
	s.mu.Lock()
	payload := s.slashPayload(user, channel, command, text)
	s.mu.Unlock()

	r, err := s.request(ctx, "slash_commands", payload, true, "slash command "+command)
	if err != nil {
		return r, err
	}
	if r.Text != "" || hasBlocks(r.blocksJSON) {
		m := &Message{Channel: channel, User: s.opts.BotUserID, Text: r.Text, ViaAck: true}
		if r.ResponseType != "in_channel" {
			m.Ephemeral, m.EphemeralTo = true, user
		}
		// Slack shows nothing of an answer it refuses: the user sees the
		// command fail.
		if n := len([]rune(r.Text)); n > maxMessageText {
			r.Error = "msg_too_long"
			s.fail(fmt.Errorf("slacksim: slash command %s: ack text is %d characters, at most %d", command, n, maxMessageText))
			return r, nil
		}
		if err := validDecodedBlocks(m, r.blocksJSON, r.Blocks); err != nil {
			r.Error = "invalid_blocks"
			s.fail(fmt.Errorf("slacksim: slash command %s: ack blocks: %w", command, err))
			return r, nil
		}
		s.mu.Lock()
		s.addMessage(m)
		s.mu.Unlock()
	}
	return r, nil
}

// Interact sends an interactive envelope with payload (a value shaped like
// slack.InteractionCallback, or raw JSON), filling team, user details,
// api_app_id, token and trigger_id when missing, and waits for the ack.
func (s *Server) Interact(ctx context.Context, payload any) (Reply, error) {
	var raw []byte
	switch p := payload.(type) {
	case json.RawMessage:
		raw = p
	case []byte:
		raw = p
	case string:
		raw = []byte(p)
	case slack.InteractionCallback:
		b, err := json.Marshal(&p) // its MarshalJSON has a pointer receiver
		if err != nil {
			return Reply{}, fmt.Errorf("slacksim: interact: %w", err)
		}
		raw = b
	default:
		b, err := json.Marshal(payload)
		if err != nil {
			return Reply{}, fmt.Errorf("slacksim: interact: %w", err)
		}
		raw = b
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return Reply{}, fmt.Errorf("slacksim: interact: payload: %w", err)
	}
	typ, _ := m["type"].(string)
	userID := ""
	if u, ok := m["user"].(map[string]any); ok {
		userID, _ = u["id"].(string)
	}
	if typ == "" || userID == "" {
		return Reply{}, errors.New("slacksim: interact: payload needs type and user.id")
	}

	s.mu.Lock()
	if t, ok := m["team"].(map[string]any); !ok || t["id"] == "" || t["id"] == nil {
		m["team"] = s.teamRef()
	}
	if u := m["user"].(map[string]any); u["name"] == "" || u["name"] == nil {
		m["user"] = s.userRef(userID)
	}
	for k, v := range map[string]string{"api_app_id": s.opts.AppID, "token": verificationToken} {
		if m[k] == "" || m[k] == nil {
			m[k] = v
		}
	}
	if m["trigger_id"] == "" || m["trigger_id"] == nil {
		m["trigger_id"] = s.newTrigger(userID)
	}
	s.mu.Unlock()
	return s.interactive(ctx, m, typ)
}

// interactive sends an interaction payload and applies what the ack of a
// view_submission asks for.
func (s *Server) interactive(ctx context.Context, payload map[string]any, typ string) (Reply, error) {
	accepts := typ == "view_submission" || typ == "block_suggestion"
	r, err := s.request(ctx, "interactive", payload, accepts, typ)
	if err != nil || typ != "view_submission" {
		return r, err
	}
	view, _ := payload["view"].(map[string]any)
	id, _ := view["id"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	lv := s.live[id]
	if lv == nil {
		return r, nil
	}
	switch r.ResponseAction {
	case "errors":
		// Slack shows an error under an input block only: a key naming
		// any other block gets the user "We had some trouble connecting"
		// instead of the message (bolt-js#544, #1267).
		if bad := badErrorKeys(lv.spec, r.Errors); bad != "" {
			r.Error = "invalid_errors"
			s.failLocked(fmt.Errorf("slacksim: view_submission ack: response_action errors: %s", bad))
		}
		return r, nil
	case "", "clear":
		for _, v := range s.live {
			if v.id == lv.id || r.ResponseAction == "clear" && v.root == lv.root {
				v.closed = true
			}
		}
		s.bump()
	case "update", "push":
		// Slack checks the view an ack asks for like views.update's, and
		// leaves the modal as it was when it refuses it.
		if ke := ValidateView(r.View, "modal"); ke != nil {
			r.Error = ke.Code
			s.failLocked(fmt.Errorf("slacksim: view_submission ack: response_action %s: %w", r.ResponseAction, ke))
			return r, nil
		}
	}
	switch r.ResponseAction {
	case "update":
		lv.spec = r.View
		s.storeView(lv, "update", "")
	case "push":
		nv := &liveView{id: s.nextID("V"), user: lv.user, kind: "modal", spec: r.View, root: lv.root, previous: lv.id}
		s.storeView(nv, "push", "")
	}
	return r, nil
}

// Click presses, as user, the button or overflow/static_select option with
// actionID (and value; "" = first) in the current version of msg, sending
// the block_actions payload Slack would.
func (s *Server) Click(ctx context.Context, user string, msg Message, actionID, value string) (Reply, error) {
	s.mu.Lock()
	payload, err := s.clickPayload(user, msg, actionID, value)
	s.mu.Unlock()
	if err != nil {
		return Reply{}, err
	}
	return s.interactive(ctx, payload, "block_actions")
}

// clickPayload is the block_actions payload for user pressing actionID
// (and value) in the current version of msg; s.mu must be held.
func (s *Server) clickPayload(user string, msg Message, actionID, value string) (map[string]any, error) {
	m := s.findMessage(msg.Channel, msg.TS)
	if m == nil || m.Deleted {
		return nil, fmt.Errorf("slacksim: click: no message %s/%s", msg.Channel, msg.TS)
	}
	payload, err := s.blockActions(user, m.BlocksJSON, actionID, value)
	if err != nil {
		return nil, err
	}
	payload["container"] = map[string]any{
		"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": m.Ephemeral,
	}
	payload["channel"] = map[string]any{"id": m.Channel, "name": s.channelName(m.Channel)}
	payload["state"] = map[string]any{"values": map[string]any{}}
	payload["response_url"] = s.newResponseURL(respTarget{channel: m.Channel, user: user, original: m.TS})
	// Slack does not keep ephemeral messages, so it cannot echo them back.
	if !m.Ephemeral {
		payload["message"] = s.messageJSON(m, false)
	}
	return payload, nil
}

// blockActions is the part of a block_actions payload common to presses
// in messages and in views: user pressing the element with actionID (and
// value) in blocks. The caller adds the container and what it names;
// s.mu must be held.
func (s *Server) blockActions(user string, blocks json.RawMessage, actionID, value string) (map[string]any, error) {
	action, err := findAction(blocks, actionID, value)
	if err != nil {
		return nil, err
	}
	action["action_ts"] = s.newTS()
	return map[string]any{
		"type": "block_actions", "token": verificationToken,
		"user": s.userRef(user), "team": s.teamRef(), "api_app_id": s.opts.AppID,
		"actions":    []any{action},
		"trigger_id": s.newTrigger(user),

		"is_enterprise_install": false,
	}, nil
}

// ClickView presses an element in an open modal or published home tab.
func (s *Server) ClickView(ctx context.Context, user, viewID, actionID, value string) (Reply, error) {
	s.mu.Lock()
	lv := s.live[viewID]
	if lv == nil || lv.closed {
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slacksim: click: no open view %s", viewID)
	}
	var spec struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal(lv.spec, &spec)
	payload, err := s.blockActions(user, spec.Blocks, actionID, value)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	payload["container"] = map[string]any{"type": "view", "view_id": lv.id}
	payload["view"] = s.viewJSON(lv, nil)
	s.mu.Unlock()
	return s.interactive(ctx, payload, "block_actions")
}

// SubmitView submits the open modal viewID as user with the given input
// state (block id -> action id -> value) and applies the ack's
// response_action: closing, updating or pushing the modal; "errors" leaves it.
func (s *Server) SubmitView(ctx context.Context, user, viewID string, values map[string]map[string]slack.BlockAction) (Reply, error) {
	s.mu.Lock()
	payload, err := s.submitPayload(user, viewID, values)
	s.mu.Unlock()
	if err != nil {
		return Reply{}, err
	}
	return s.interactive(ctx, payload, "view_submission")
}

// submitPayload is the view_submission payload for user submitting the
// open modal viewID with values; s.mu must be held.
func (s *Server) submitPayload(user, viewID string, values map[string]map[string]slack.BlockAction) (map[string]any, error) {
	lv := s.live[viewID]
	if lv == nil || lv.kind != "modal" || lv.closed {
		return nil, fmt.Errorf("slacksim: submit: no open modal %s", viewID)
	}
	if values == nil {
		values = map[string]map[string]slack.BlockAction{}
	}
	return map[string]any{
		"type": "view_submission", "token": verificationToken,
		"user": s.userRef(user), "team": s.teamRef(), "api_app_id": s.opts.AppID,
		"view":          s.viewJSON(lv, map[string]any{"values": values}),
		"trigger_id":    s.newTrigger(user),
		"response_urls": []any{},

		"is_enterprise_install": false,
	}, nil
}

// MessageShortcut runs the message shortcut callbackID on msg as user.
func (s *Server) MessageShortcut(ctx context.Context, user, callbackID string, msg Message) (Reply, error) {
	s.mu.Lock()
	m := s.findMessage(msg.Channel, msg.TS)
	if m == nil {
		m = &msg // a message the simulator did not record, e.g. a user's
	}
	payload := map[string]any{
		"type": "message_action", "token": verificationToken, "callback_id": callbackID,
		"action_ts": s.newTS(), "user": s.userRef(user), "team": s.teamRef(), "api_app_id": s.opts.AppID,
		"channel":      map[string]any{"id": m.Channel, "name": s.channelName(m.Channel)},
		"message_ts":   m.TS,
		"message":      s.messageJSON(m, false),
		"trigger_id":   s.newTrigger(user),
		"response_url": s.newResponseURL(respTarget{channel: m.Channel, user: user}),

		"is_enterprise_install": false,
	}
	s.mu.Unlock()
	return s.interactive(ctx, payload, "message_action")
}

// OpenHome sends app_home_opened for user's Home tab as an events_api
// envelope, redelivering it while it goes unacknowledged.
func (s *Server) OpenHome(ctx context.Context, user string) error {
	s.mu.Lock()
	now := s.opts.Now()
	ev := map[string]any{
		"type": "app_home_opened", "user": user, "channel": s.dmChannel(user),
		"tab": "home", "event_ts": s.newTS(),
	}
	if lv := s.live[s.homes[user]]; lv != nil {
		ev["view"] = s.viewJSON(lv, nil)
	}
	payload := s.callback(ev, now)
	s.mu.Unlock()
	return s.event(ctx, payload, "app_home_opened for "+user)
}

// SendEvent sends ev, an inner event of any type (one the simulator has
// no driver for, or one slack-go cannot read), wrapped in the workspace's
// event_callback as an events_api envelope, redelivering it while it goes
// unacknowledged.
func (s *Server) SendEvent(ctx context.Context, ev map[string]any) error {
	s.mu.Lock()
	payload := s.callback(ev, s.opts.Now())
	s.mu.Unlock()
	typ, _ := ev["type"].(string)
	return s.event(ctx, payload, "event "+typ)
}

// SendRaw sends payload as is in a slash_commands or interactive envelope
// (accepts_response_payload as Slack sets it for that type), once, as
// Slack sends those: a payload in a shape the simulator's drivers never
// make. Like SlashCommand it records a protocol error if no ack comes.
func (s *Server) SendRaw(ctx context.Context, typ string, payload any) (Reply, error) {
	return s.request(ctx, typ, payload, typ == "slash_commands", "raw "+typ)
}

// callback is the event_callback wrapper of ev outside any channel;
// s.mu must be held.
func (s *Server) callback(ev map[string]any, now time.Time) map[string]any {
	return map[string]any{
		"token": verificationToken, "team_id": s.opts.TeamID, "api_app_id": s.opts.AppID,
		"event": ev, "type": "event_callback", "event_id": s.nextID("Ev"),
		"event_time": now.Unix(), "event_context": "4-" + strconv.FormatInt(now.Unix(), 10),
		"authorizations": []any{map[string]any{
			"enterprise_id": nil, "team_id": s.opts.TeamID, "user_id": s.opts.BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
	}
}

// badErrorKeys says what is wrong with a view_submission ack's errors for
// the modal spec, "" if nothing: each key must be the block_id of one of
// its input blocks.
func badErrorKeys(spec json.RawMessage, errs map[string]string) string {
	var v struct {
		Blocks []struct {
			Type    string `json:"type"`
			BlockID string `json:"block_id"`
		} `json:"blocks"`
	}
	_ = json.Unmarshal(spec, &v)
	inputs := map[string]bool{}
	for _, b := range v.Blocks {
		if b.Type == "input" && b.BlockID != "" {
			inputs[b.BlockID] = true
		}
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !inputs[k] {
			return fmt.Sprintf("%q is not the block_id of an input block of the view", k)
		}
	}
	return ""
}
