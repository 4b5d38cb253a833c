package slacksim

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// What a client that draws the workspace (the web page of `kept sim`) needs
// besides Messages: who is in it, which views each person has open, and a
// signal whenever anything changes.

// Users returns the workspace's members, the bot included, sorted by id.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Channels returns the channels sorted by name, each with its members.
func (s *Server) Channels() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Channel, 0, len(s.channels))
	for _, c := range s.channels {
		c.Members = append([]string(nil), c.Members...)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Channel) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// BotUserID is the bot's user id, the poster of the bot's messages.
func (s *Server) BotUserID() string { return s.opts.BotUserID }

// Changed returns a channel that is closed the next time the simulator
// records anything: a message, a change to one, a view, a call, an error.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// OpenModal returns the modal user sees now (the top of their stack), in
// its current version.
func (s *Server) OpenModal(user string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lv := s.topModal(user)
	if lv == nil {
		return View{}, false
	}
	return s.currentView(lv), true
}

// HomeView returns the Home tab the app last published for user.
func (s *Server) HomeView(user string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lv := s.live[s.homes[user]]
	if lv == nil {
		return View{}, false
	}
	return s.currentView(lv), true
}

// currentView describes lv as recorded views do; s.mu must be held.
func (s *Server) currentView(lv *liveView) View {
	b, _ := json.Marshal(s.viewJSON(lv, nil))
	v := View{ID: lv.id, Hash: lv.hash, UserID: lv.user, Kind: lv.kind, JSON: b}
	_ = json.Unmarshal(b, &v.View)
	return v
}

// CloseView is user pressing a modal's Close button (clear false: the view
// under it shows again) or its × (clear true: the whole stack closes). A
// view opened with notify_on_close sends the app view_closed, as Slack does.
func (s *Server) CloseView(ctx context.Context, user, viewID string, clear bool) error {
	s.mu.Lock()
	lv := s.live[viewID]
	if lv == nil || lv.kind != "modal" || lv.closed || lv.user != user {
		s.mu.Unlock()
		return fmt.Errorf("slacksim: close: %s has no open modal %s", user, viewID)
	}
	for _, v := range s.live {
		if v.id == lv.id || clear && v.root == lv.root {
			v.closed = true
		}
	}
	var spec struct {
		NotifyOnClose bool `json:"notify_on_close"`
	}
	_ = json.Unmarshal(lv.spec, &spec)
	payload := map[string]any{
		"type": "view_closed", "token": verificationToken,
		"user": s.userRef(user), "team": s.teamRef(), "api_app_id": s.opts.AppID,
		"view": s.viewJSON(lv, nil), "is_cleared": clear,

		"is_enterprise_install": false,
	}
	s.bump()
	s.mu.Unlock()
	if !spec.NotifyOnClose {
		return nil
	}
	_, err := s.request(ctx, "interactive", payload, false, "view_closed")
	return err
}
