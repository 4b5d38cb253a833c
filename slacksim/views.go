package slacksim

import (
	"encoding/json"
	"fmt"
	"time"
)

// liveView is the current version of an opened modal or published home tab.
type liveView struct {
	id, hash, user, externalID string
	root, previous             string
	kind                       string // "modal" or "home"
	spec                       json.RawMessage
	closed                     bool
}

type trigger struct {
	at   time.Time
	user string
	used bool
}

// useTrigger exchanges a trigger id for the right to open a view: once,
// within Slack's 3 s. s.mu must be held.
func (s *Server) useTrigger(id string) string {
	t, ok := s.triggers[id]
	switch {
	case id == "" || !ok:
		return "invalid_trigger_id"
	case t.used:
		return "exchanged_trigger_id"
	case s.opts.Wall().Sub(t.at) >= triggerTTL:
		return "expired_trigger_id"
	}
	t.used = true
	s.triggers[id] = t
	return ""
}

// parseViewArg validates the view argument as Slack does; wantType is
// "modal" or "home". A refusal is the error code and Slack's details.
func (s *Server) parseViewArg(r *apiRequest, wantType string) (json.RawMessage, map[string]any, string) {
	raw := r.params["view"]
	if raw == "" {
		return nil, nil, "invalid_arguments"
	}
	if ke := ValidateView(json.RawMessage(raw), wantType); ke != nil {
		s.fail(fmt.Errorf("slacksim: %s: %w", r.method, ke))
		return nil, ke.answer(), ke.Code
	}
	return json.RawMessage(raw), nil, ""
}

func (s *Server) viewsOpen(r *apiRequest) (map[string]any, string) { return s.openView(r, "open") }
func (s *Server) viewsPush(r *apiRequest) (map[string]any, string) { return s.openView(r, "push") }

func (s *Server) openView(r *apiRequest, kind string) (map[string]any, string) {
	spec, extra, code := s.parseViewArg(r, "modal")
	if code != "" {
		return extra, code
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tid := r.params["trigger_id"]
	if code := s.useTrigger(tid); code != "" {
		return nil, code
	}
	user := s.triggers[tid].user
	lv := &liveView{id: s.nextID("V"), user: user, kind: "modal", spec: spec}
	lv.root = lv.id
	if kind == "push" {
		if top := s.topModal(user); top != nil {
			lv.root, lv.previous = top.root, top.id
		}
	}
	return s.storeView(lv, kind, tid), ""
}

// topModal is the user's most recent open modal; s.mu must be held.
func (s *Server) topModal(user string) *liveView {
	for i := len(s.views) - 1; i >= 0; i-- {
		if lv := s.live[s.views[i].ID]; lv != nil && lv.kind == "modal" && lv.user == user && !lv.closed {
			return lv
		}
	}
	return nil
}

func (s *Server) viewsUpdate(r *apiRequest) (map[string]any, string) {
	spec, extra, code := s.parseViewArg(r, "modal")
	if code != "" {
		return extra, code
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lv := s.live[r.params["view_id"]]
	if ext := r.params["external_id"]; lv == nil && ext != "" {
		for _, v := range s.live {
			if v.externalID == ext {
				lv = v
			}
		}
	}
	if lv == nil || lv.kind != "modal" {
		return nil, "not_found"
	}
	if h := r.params["hash"]; h != "" && h != lv.hash {
		return nil, "hash_conflict"
	}
	lv.spec = spec
	return s.storeView(lv, "update", ""), ""
}

func (s *Server) viewsPublish(r *apiRequest) (map[string]any, string) {
	spec, extra, code := s.parseViewArg(r, "home")
	if code != "" {
		return extra, code
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	user := r.params["user_id"]
	if u, ok := s.users[user]; !ok || u.IsBot {
		return nil, "invalid_arguments"
	}
	lv := s.live[s.homes[user]]
	if lv == nil {
		lv = &liveView{id: s.nextID("V"), user: user, kind: "home"}
		lv.root = lv.id
		s.homes[user] = lv.id
	} else if h := r.params["hash"]; h != "" && h != lv.hash {
		return nil, "hash_conflict"
	}
	lv.spec = spec
	return s.storeView(lv, "publish", ""), ""
}

// storeView gives lv a new hash, records the operation and answers with
// the view as Slack returns it; s.mu must be held.
func (s *Server) storeView(lv *liveView, kind, triggerID string) map[string]any {
	var ext struct {
		ExternalID string `json:"external_id"`
	}
	_ = json.Unmarshal(lv.spec, &ext)
	lv.externalID = ext.ExternalID
	lv.hash = fmt.Sprintf("%d.%s", s.opts.Now().Unix(), randHex(8))
	s.live[lv.id] = lv

	out := s.viewJSON(lv, nil)
	b, _ := json.Marshal(out)
	rec := View{ID: lv.id, Hash: lv.hash, UserID: lv.user, TriggerID: triggerID, Kind: kind, JSON: b}
	if err := json.Unmarshal(b, &rec.View); err != nil {
		s.failLocked(fmt.Errorf("slacksim: view %s does not decode: %w", lv.id, err))
	}
	s.views = append(s.views, rec)
	s.bump()
	return map[string]any{"view": out}
}

// viewJSON is the view object Slack returns and sends in payloads, with
// the given input state; s.mu must be held.
func (s *Server) viewJSON(lv *liveView, state any) map[string]any {
	v := map[string]any{}
	_ = json.Unmarshal(lv.spec, &v)
	if state == nil {
		state = map[string]any{"values": map[string]any{}}
	}
	for k, val := range map[string]any{
		"id": lv.id, "team_id": s.opts.TeamID, "hash": lv.hash, "state": state,
		"root_view_id": lv.root, "previous_view_id": nilIfEmpty(lv.previous),
		"app_id": s.opts.AppID, "bot_id": s.opts.BotID, "app_installed_team_id": s.opts.TeamID,
	} {
		v[k] = val
	}
	for _, k := range []string{"private_metadata", "callback_id", "external_id"} {
		if _, ok := v[k]; !ok {
			v[k] = ""
		}
	}
	return v
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
