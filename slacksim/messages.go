package slacksim

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// postTarget resolves chat.postMessage's channel argument the way Slack
// does: a user id means the bot's DM with them. s.mu must be held.
func (s *Server) postTarget(channel string) (string, string) {
	switch {
	case strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W"):
		u, ok := s.users[channel]
		switch {
		case !ok:
			return "", "channel_not_found"
		case u.IsBot:
			return "", "cannot_dm_bot"
		}
		// Deactivated users keep their DM and Slack still accepts the post
		// (python-slack-sdk#1156); callers must check users.info deleted.
		return s.dmChannel(channel), ""
	case strings.HasPrefix(channel, "D"):
		if _, ok := s.userByDM[channel]; !ok {
			return "", "channel_not_found"
		}
		return channel, ""
	}
	c, ok := s.channels[channel]
	if !ok {
		for _, o := range s.channels {
			if "#"+o.Name == channel || o.Name == channel {
				c, ok = o, true
			}
		}
	}
	if !ok {
		return "", "channel_not_found"
	}
	member := slices.Contains(c.Members, s.opts.BotUserID)
	switch {
	case !member && c.Private: // a bot outside a private channel cannot see it
		return "", "channel_not_found"
	case c.Archived:
		return "", "is_archived"
	case !member:
		return "", "not_in_channel"
	}
	return c.ID, ""
}

// fillContent sets text, blocks and metadata from API arguments, checked
// as Slack checks them. A refusal is the error code and, for Block Kit
// problems, the extra fields Slack answers with. s.mu must be held.
func (s *Server) fillContent(m *Message, r *apiRequest) (map[string]any, string) {
	m.Text = r.params["text"]
	if len([]rune(m.Text)) > maxMessageText {
		s.failLocked(fmt.Errorf("slacksim: %s: msg_too_long: text is %d characters, at most %d", r.method, len([]rune(m.Text)), maxMessageText))
		return nil, "msg_too_long"
	}
	if raw, ok := r.params["blocks"]; ok {
		if err := validBlocks(m, []byte(raw)); err != nil {
			s.failLocked(fmt.Errorf("slacksim: %s: %w", r.method, err))
			var ke *KitError
			if errors.As(err, &ke) {
				return ke.answer(), ke.Code
			}
			return nil, "invalid_blocks_format"
		}
	}
	var extra map[string]any
	if raw := r.params["metadata"]; raw != "" {
		var md slack.SlackMetadata
		if err := json.Unmarshal([]byte(raw), &md); err != nil {
			s.failLocked(fmt.Errorf("slacksim: %s: metadata: %w", r.method, err))
			return nil, "invalid_metadata_format"
		}
		if metadataEventType.MatchString(md.EventType) {
			m.Metadata = &md
		} else {
			// Slack posts the message and drops the metadata, with only a
			// warning: a message Kept could never find again by it.
			s.failLocked(fmt.Errorf("slacksim: %s: metadata event_type %q: invalid_metadata_schema (posted without it)", r.method, md.EventType))
			extra = map[string]any{"warning": "invalid_metadata_schema",
				"response_metadata": map[string]any{"warnings": []string{"invalid_metadata_schema"}}}
		}
	}
	if m.Text == "" && m.BlocksJSON == nil {
		return nil, "no_text"
	}
	return extra, ""
}

// metadataEventType is what Slack takes as a metadata event_type:
// letters, digits, underscores and hyphens.
var metadataEventType = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (s *Server) chatPostMessage(r *apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, code := s.postTarget(r.params["channel"])
	if code != "" {
		return nil, code
	}
	m := &Message{Channel: ch, User: s.opts.BotUserID}
	extra, code := s.fillContent(m, r)
	if code != "" {
		return extra, code
	}
	s.addMessage(m)
	res := map[string]any{"channel": ch, "ts": m.TS, "message": s.messageJSON(m, true)}
	for k, v := range extra { // a warning
		res[k] = v
	}
	return res, ""
}

func (s *Server) chatPostEphemeral(r *apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	user := r.params["user"]
	if _, ok := s.users[user]; !ok {
		return nil, "user_not_found"
	}
	ch, code := s.postTarget(r.params["channel"])
	if code != "" {
		return nil, code
	}
	if dmUser, ok := s.userByDM[ch]; ok && dmUser != user {
		return nil, "user_not_in_channel"
	}
	if c, ok := s.channels[ch]; ok && !slices.Contains(c.Members, user) {
		return nil, "user_not_in_channel"
	}
	m := &Message{Channel: ch, User: s.opts.BotUserID, Ephemeral: true, EphemeralTo: user}
	if extra, code := s.fillContent(m, r); code != "" {
		return extra, code
	}
	s.addMessage(m)
	return map[string]any{"message_ts": m.TS}, ""
}

func (s *Server) chatUpdate(r *apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findMessage(r.params["channel"], r.params["ts"])
	if m == nil || m.Ephemeral || m.Deleted {
		return nil, "message_not_found"
	}
	if m.User != s.opts.BotUserID {
		return nil, "cant_update_message"
	}
	// Blocks and metadata are kept unless given, as documented for chat.update.
	next := *m
	if extra, code := s.fillContent(&next, r); code != "" {
		return extra, code
	}
	next.Updates++
	next.ViaResponseURL = false
	*m = next
	s.published(m)
	return map[string]any{"channel": m.Channel, "ts": m.TS, "text": m.Text, "message": s.messageJSON(m, true)}, ""
}

func (s *Server) chatGetPermalink(r *apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ts := r.params["channel"], r.params["message_ts"]
	if m := s.findMessage(ch, ts); m == nil || m.Ephemeral {
		return nil, "message_not_found"
	}
	return map[string]any{
		"channel":   ch,
		"permalink": fmt.Sprintf("https://%s.slack.com/archives/%s/p%s", s.opts.TeamDomain, ch, strings.Replace(ts, ".", "", 1)),
	}, ""
}

func (s *Server) conversationsOpen(r *apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := r.params["channel"]; ch != "" {
		user, ok := s.userByDM[ch]
		if !ok {
			return nil, "channel_not_found"
		}
		return map[string]any{"channel": s.imJSON(ch, user), "already_open": true, "no_op": true}, ""
	}
	users := strings.Split(r.params["users"], ",")
	switch {
	case users[0] == "":
		return nil, "users_list_not_supplied"
	case len(users) > 1:
		return nil, "not_enough_users" // group DMs are not simulated
	}
	u, ok := s.users[users[0]]
	switch {
	case !ok:
		return nil, "user_not_found"
	case u.Deleted:
		return nil, "user_disabled"
	case u.IsBot:
		return nil, "cannot_dm_bot"
	}
	_, open := s.dmByUser[u.ID]
	ch := s.dmChannel(u.ID)
	return map[string]any{"channel": s.imJSON(ch, u.ID), "already_open": open, "no_op": open}, ""
}

func (s *Server) imJSON(id, user string) map[string]any {
	return map[string]any{"id": id, "is_im": true, "user": user, "is_open": true, "created": 1700000000}
}

// channelJSON describes a channel or IM; s.mu must be held.
func (s *Server) channelJSON(id string) (map[string]any, []string, string) {
	if user, ok := s.userByDM[id]; ok {
		return s.imJSON(id, user), []string{s.opts.BotUserID, user}, ""
	}
	c, ok := s.channels[id]
	member := ok && slices.Contains(c.Members, s.opts.BotUserID)
	if !ok || c.Private && !member {
		return nil, nil, "channel_not_found"
	}
	return map[string]any{
		"id": c.ID, "name": c.Name, "is_channel": true, "is_group": false, "is_private": c.Private,
		"is_archived": c.Archived, "is_member": member, "num_members": len(c.Members),
		"created": 1700000000,
	}, c.Members, ""
}

func (s *Server) conversationsInfo(r *apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, _, code := s.channelJSON(r.params["channel"])
	if code != "" {
		return nil, code
	}
	if ch, ok := s.channels[r.params["channel"]]; ok {
		c["is_ext_shared"], c["is_shared"] = ch.Shared, ch.Shared
		c["is_private"] = ch.Private
	}
	return map[string]any{"channel": c}, ""
}

func (s *Server) conversationsMembers(r *apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, members, code := s.channelJSON(r.params["channel"])
	if code != "" {
		return nil, code
	}
	return map[string]any{"members": members, "response_metadata": map[string]string{"next_cursor": ""}}, ""
}

// conversationsHistory pages newest first; the cursor, like Slack's, is
// base64 of "next_ts:<ts of the first message on the next page>".
func (s *Server) conversationsHistory(r *apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := r.params["channel"]
	c, _, code := s.channelJSON(ch)
	if code != "" {
		return nil, code
	}
	if member, ok := c["is_member"].(bool); ok && !member {
		return nil, "not_in_channel"
	}
	limit, _ := strconv.Atoi(r.params["limit"])
	if limit <= 0 || limit > 999 {
		limit = 100
	}
	inclusive := r.params["inclusive"] == "1" || r.params["inclusive"] == "true"
	latest, oldest := tsMicros(r.params["latest"]), tsMicros(r.params["oldest"])
	cursor := int64(math.MaxInt64)
	if cur := r.params["cursor"]; cur != "" {
		b, err := base64.StdEncoding.DecodeString(cur)
		ts, ok := strings.CutPrefix(string(b), "next_ts:")
		if err != nil || !ok {
			return nil, "invalid_cursor"
		}
		cursor = tsMicros(ts)
	}

	var page []any
	hasMore, next := false, ""
	for i := len(s.messages) - 1; i >= 0; i-- {
		m := s.messages[i]
		t := tsMicros(m.TS)
		if m.Channel != ch || m.Ephemeral || m.Deleted || t > cursor ||
			(latest > 0 && (t > latest || t == latest && !inclusive)) ||
			(oldest > 0 && (t < oldest || t == oldest && !inclusive)) {
			continue
		}
		if len(page) == limit {
			hasMore, next = true, base64.StdEncoding.EncodeToString([]byte("next_ts:"+m.TS))
			break
		}
		page = append(page, s.messageJSON(m, r.params["include_all_metadata"] == "1" || r.params["include_all_metadata"] == "true"))
	}
	if page == nil {
		page = []any{}
	}
	return map[string]any{
		"messages": page, "has_more": hasMore, "pin_count": 0,
		"response_metadata": map[string]string{"next_cursor": next},
	}, ""
}

// tsMicros parses a message ts ("1700000000.000123"); 0 if empty or bad.
func tsMicros(ts string) int64 {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0
	}
	frac = (frac + "000000")[:6]
	us, _ := strconv.ParseInt(frac, 10, 64)
	return s*1e6 + us
}

// respTarget is what a response_url answers into.
type respTarget struct {
	channel, user string
	original      string // ts of the message the action came from, if any
	created       time.Time
	uses          int
}

// newResponseURL issues a response_url; s.mu must be held.
func (s *Server) newResponseURL(t respTarget) string {
	t.created = s.opts.Now()
	// Sweep once per 1024 new URLs past 4096, not on every call: a sweep
	// walks the whole map under s.mu, and a long benchmark keeps tens of
	// thousands alive for the 30-minute TTL.
	if n := len(s.respURLs); n >= 4096 && n%1024 == 0 {
		for k, o := range s.respURLs {
			if t.created.Sub(o.created) > responseURLTTL {
				delete(s.respURLs, k)
			}
		}
	}
	key := randHex(24)
	s.respURLs[key] = &t
	return fmt.Sprintf("%s/actions/%s/%d/%s", s.base, s.opts.TeamID, s.seq, key)
}

func (s *Server) handleResponseURL(w http.ResponseWriter, r *http.Request) {
	if s.opts.Latency > 0 {
		t := time.NewTimer(s.opts.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-s.done:
		}
		t.Stop()
	}
	key := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	var body struct {
		Text            string               `json:"text"`
		Blocks          json.RawMessage      `json:"blocks"`
		Metadata        *slack.SlackMetadata `json:"metadata"`
		ResponseType    string               `json:"response_type"`
		ReplaceOriginal bool                 `json:"replace_original"`
		DeleteOriginal  bool                 `json:"delete_original"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		s.fail(fmt.Errorf("slacksim: response_url: bad body: %w", err))
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "invalid_payload"})
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.respURLs[key]
	code := ""
	switch {
	case !ok:
		code = "invalid_url"
	case s.opts.Now().Sub(t.created) > responseURLTTL:
		code = "expired_url"
	case t.uses >= responseURLMax:
		code = "used_url"
	}
	if code != "" {
		s.failLocked(fmt.Errorf("slacksim: response_url: %s", code))
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": code})
		return
	}
	t.uses++

	orig := s.findMessage(t.channel, t.original)
	switch {
	case body.DeleteOriginal && orig != nil:
		orig.Deleted = true
		orig.ViaResponseURL = true
		s.published(orig)
	case body.ReplaceOriginal && orig != nil:
		next := *orig
		next.Text, next.Metadata = body.Text, body.Metadata
		if err := validBlocks(&next, body.Blocks); err != nil {
			s.failLocked(fmt.Errorf("slacksim: response_url: blocks: %w", err))
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_blocks"})
			return
		}
		next.Updates++
		next.ViaResponseURL = true
		*orig = next
		s.published(orig)
	default:
		m := &Message{Channel: t.channel, User: s.opts.BotUserID, Text: body.Text,
			Metadata: body.Metadata, ViaResponseURL: true}
		if body.ResponseType != "in_channel" {
			m.Ephemeral, m.EphemeralTo = true, t.user
		}
		if err := validBlocks(m, body.Blocks); err != nil {
			s.failLocked(fmt.Errorf("slacksim: response_url: blocks: %w", err))
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_blocks"})
			return
		}
		s.addMessage(m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// validBlocks stores blocks that pass Slack's checks for messages; the
// error is a *KitError when Slack would answer invalid_blocks.
func validBlocks(m *Message, raw json.RawMessage) error {
	if hasBlocks(raw) {
		if ke := ValidateMessageBlocks(raw); ke != nil {
			return ke
		}
	}
	return setBlocks(m, raw)
}

// validDecodedBlocks is validBlocks for blocks the caller has decoded
// already (a slash command's ack): it validates raw and keeps decoded
// rather than decoding raw a second time.
func validDecodedBlocks(m *Message, raw json.RawMessage, decoded []slack.Block) error {
	if !hasBlocks(raw) {
		return setBlocks(m, raw)
	}
	if ke := ValidateMessageBlocks(raw); ke != nil {
		return ke
	}
	if decoded == nil {
		return setBlocks(m, raw) // undecodable: setBlocks says why
	}
	m.Blocks, m.BlocksJSON = decoded, append(json.RawMessage(nil), raw...)
	return nil
}

// hasBlocks reports whether raw, a message's "blocks", holds any.
func hasBlocks(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null" && string(raw) != "[]"
}
