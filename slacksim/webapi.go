package slacksim

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fault is a canned failure for FailNext: Status 429 (with RetryAfter
// seconds in Retry-After) or any other HTTP status; otherwise an ok:false
// answer with Error (e.g. "account_inactive", "missing_scope"). Delay holds
// the answer back first, faulty or not.
//
// Hold and HoldAnswer hold a call in flight until the test closes them,
// without sleeping: Hold before Slack does anything with the call (it
// then acts on it after whatever the test did meanwhile), HoldAnswer
// after Slack acted on it but before the app hears so. A Fault with only
// a hold set is no failure: the call then goes through as usual.
type Fault struct {
	Status     int
	RetryAfter int
	Error      string
	Delay      time.Duration
	Hold       <-chan struct{}
	HoldAnswer <-chan struct{}
}

// wait blocks until ch is closed (nil: not at all), the request is
// abandoned or the server closes.
func (s *Server) wait(ch <-chan struct{}, r *http.Request) {
	if ch == nil {
		return
	}
	select {
	case <-ch:
	case <-r.Context().Done():
	case <-s.done:
	}
}

// FailNext makes the next n calls of method answer f.
func (s *Server) FailNext(method string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], f)
	}
}

// SetRateLimit limits method to perMinute calls in any sliding minute of the
// simulator's clock; calls over it get 429 and the seconds until a slot frees.
// perMinute <= 0 removes the limit.
func (s *Server) SetRateLimit(method string, perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perMinute <= 0 {
		delete(s.limits, method)
		return
	}
	s.limits[method] = perMinute
}

// apiRequest is a Web API call's arguments, however slack-go sent them:
// form, query or JSON body (whose non-string values are kept as raw JSON).
type apiRequest struct {
	method string
	params map[string]string
	body   json.RawMessage
	token  string
}

type apiMethod struct {
	handle   func(*Server, *apiRequest) (map[string]any, string)
	scope    string // needed bot scope, "" for none
	appToken bool   // authenticated with the app-level token
	// convScope, if set, is the scope family by conversation type:
	// "history" or "read" makes the scope channels:, groups: or im:
	// followed by it, for the channel argument's type.
	convScope string
}

var apiMethods = map[string]apiMethod{
	"auth.test":             {handle: (*Server).authTest},
	"apps.connections.open": {handle: (*Server).appsConnectionsOpen, appToken: true},
	"chat.postMessage":      {handle: (*Server).chatPostMessage, scope: "chat:write"},
	"chat.postEphemeral":    {handle: (*Server).chatPostEphemeral, scope: "chat:write"},
	"chat.update":           {handle: (*Server).chatUpdate, scope: "chat:write"},
	"chat.getPermalink":     {handle: (*Server).chatGetPermalink},
	"conversations.open":    {handle: (*Server).conversationsOpen, scope: "im:write"},
	"conversations.history": {handle: (*Server).conversationsHistory, convScope: "history"},
	"conversations.info":    {handle: (*Server).conversationsInfo, convScope: "read"},
	"conversations.members": {handle: (*Server).conversationsMembers, convScope: "read"},
	"users.info":            {handle: (*Server).usersInfo, scope: "users:read"},
	"usergroups.users.list": {handle: (*Server).usergroupsUsersList, scope: "usergroups:read"},
	"views.open":            {handle: (*Server).viewsOpen},
	"views.push":            {handle: (*Server).viewsPush},
	"views.update":          {handle: (*Server).viewsUpdate},
	"views.publish":         {handle: (*Server).viewsPublish},
}

func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	call := Call{Method: method, At: s.opts.Now()}
	var holdAnswer <-chan struct{}
	answer := func(status int, body map[string]any) {
		s.wait(holdAnswer, r)
		call.Status = status
		if body != nil {
			if e, ok := body["error"].(string); ok {
				call.Error = e
			}
		}
		s.mu.Lock()
		s.calls = append(s.calls, call)
		s.bump()
		s.mu.Unlock()
		writeJSON(w, status, body)
	}

	req, err := parseAPIRequest(r)
	if err != nil {
		s.fail(fmt.Errorf("slacksim: %s: bad request: %w", method, err))
		answer(http.StatusOK, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	req.method = method
	call.Params, call.Body = req.params, req.body

	m, ok := apiMethods[method]
	if !ok {
		s.fail(fmt.Errorf("slacksim: unknown method %q", method))
		answer(http.StatusOK, map[string]any{"ok": false, "error": "unknown_method"})
		return
	}

	f, faulty := s.takeFault(method)
	if d := f.Delay + s.opts.Latency; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-s.done:
		}
		t.Stop()
	}
	s.wait(f.Hold, r)
	holdAnswer = f.HoldAnswer
	if faulty && f.Status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		answer(f.Status, map[string]any{"ok": false, "error": "ratelimited"})
		return
	}
	if faulty && f.Status != 0 && f.Status != http.StatusOK {
		answer(f.Status, nil)
		return
	}

	want := s.opts.BotToken
	if m.appToken {
		want = s.opts.AppToken
	}
	switch {
	case req.token == "":
		answer(http.StatusOK, map[string]any{"ok": false, "error": "not_authed"})
		return
	case req.token != want:
		answer(http.StatusOK, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	scope := m.scope
	if m.convScope != "" {
		scope = s.conversationScope(req.params["channel"], m.convScope)
	}
	if !m.appToken {
		w.Header().Set("X-OAuth-Scopes", strings.Join(s.opts.Scopes, ","))
		w.Header().Set("X-Accepted-OAuth-Scopes", scope)
		s.mu.Lock()
		dead := s.dead
		s.mu.Unlock()
		if dead != "" {
			answer(http.StatusOK, map[string]any{"ok": false, "error": dead})
			return
		}
	}

	if retry := s.rateLimited(method); retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		answer(http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
		return
	}
	if faulty && f.Error != "" {
		answer(http.StatusOK, s.errorBody(f.Error, scope))
		return
	}
	if scope != "" && !slices.Contains(s.opts.Scopes, scope) {
		answer(http.StatusOK, s.errorBody("missing_scope", scope))
		return
	}

	res, code := m.handle(s, req)
	if code != "" {
		body := map[string]any{"ok": false, "error": code}
		for k, v := range res { // Slack's details: errors, response_metadata
			body[k] = v
		}
		answer(http.StatusOK, body)
		return
	}
	res["ok"] = true
	answer(http.StatusOK, res)
}

func (s *Server) errorBody(code, scope string) map[string]any {
	body := map[string]any{"ok": false, "error": code}
	if code == "missing_scope" {
		body["needed"] = scope
		body["provided"] = strings.Join(s.opts.Scopes, ",")
	}
	return body
}

func writeJSON(w http.ResponseWriter, status int, body map[string]any) {
	if body == nil { // a 5xx: Slack sends an HTML page, slack-go does not read it
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "<html><body>Service Unavailable</body></html>")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func parseAPIRequest(r *http.Request) (*apiRequest, error) {
	req := &apiRequest{params: map[string]string{}}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		b, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
		if err != nil {
			return nil, err
		}
		if len(b) > 0 {
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(b, &fields); err != nil {
				return nil, err
			}
			for k, v := range fields {
				var str string
				if json.Unmarshal(v, &str) == nil {
					req.params[k] = str
				} else {
					req.params[k] = string(v)
				}
			}
			req.body = b
		}
		for k, v := range r.URL.Query() {
			req.params[k] = v[0]
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		for k, v := range r.Form {
			req.params[k] = v[0]
		}
	}
	req.token = req.params["token"]
	delete(req.params, "token")
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		req.token = t
	}
	return req, nil
}

func (s *Server) takeFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[method] = q[1:]
	s.bump() // FaultsLeft waiters: the call is in flight
	return q[0], true
}

// rateLimited records a call and returns 0, or the Retry-After seconds if
// the call is over the method's limit.
func (s *Server) rateLimited(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit, ok := s.limits[method]
	if !ok {
		return 0
	}
	now := s.opts.Now()
	hits := s.hits[method]
	for len(hits) > 0 && now.Sub(hits[0]) >= time.Minute {
		hits = hits[1:]
	}
	s.hits[method] = hits
	if len(hits) >= limit {
		wait := hits[0].Add(time.Minute).Sub(now)
		return max(1, int(math.Ceil(wait.Seconds())))
	}
	s.hits[method] = append(hits, now)
	return 0
}

func (s *Server) authTest(*apiRequest) (map[string]any, string) {
	return map[string]any{
		"url":     "https://" + s.opts.TeamDomain + ".slack.com/",
		"team":    s.opts.TeamDomain,
		"user":    "kept",
		"team_id": s.opts.TeamID,
		"user_id": s.opts.BotUserID,
		"bot_id":  s.opts.BotID,

		"is_enterprise_install": false,
	}, ""
}

func (s *Server) usersInfo(r *apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[r.params["user"]]
	if !ok {
		return nil, "user_not_found"
	}
	return map[string]any{"user": s.userJSON(u)}, ""
}

// usergroupsUsersList answers a user group's members; Slack calls an
// unknown group no_such_subteam.
func (s *Server) usergroupsUsersList(r *apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	members, ok := s.groups[r.params["usergroup"]]
	if !ok {
		return nil, "no_such_subteam"
	}
	return map[string]any{"users": append([]string{}, members...)}, ""
}

// userJSON answers the zone fields as of the simulator's clock, so that
// tz_offset follows daylight saving like Slack's. s.mu must be held.
func (s *Server) userJSON(u User) map[string]any {
	tz := u.TZ
	if tz == "" {
		tz = "America/Los_Angeles" // Slack's zone for users who never set one
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		s.logf("user %s: unknown zone %q, using UTC", u.ID, tz)
		loc = time.UTC
	}
	abbr, offset := s.opts.Now().In(loc).Zone()
	label := zoneLabels[abbr]
	if label == "" {
		label = abbr
	}
	team := s.teamOf(u.ID)
	profile := map[string]any{
		"real_name": u.RealName, "real_name_normalized": u.RealName,
		"display_name": u.Name, "display_name_normalized": u.Name, "team": team,
	}
	if u.IsBot {
		profile["bot_id"] = s.opts.BotID
	}
	user := map[string]any{
		"id": u.ID, "team_id": team, "name": u.Name, "deleted": u.Deleted,
		"real_name": u.RealName, "tz": tz, "tz_label": label, "tz_offset": offset,
		"is_bot": u.IsBot, "is_app_user": false, "is_admin": false, "is_owner": false,
		"is_restricted": u.Guest, "is_ultra_restricted": false,
		"profile": profile, "updated": s.opts.Now().Unix(),
	}
	if u.Teams != nil {
		user["enterprise_user"] = map[string]any{
			"id": u.ID, "enterprise_id": "E0SIMORG", "enterprise_name": "Sim Org",
			"is_admin": false, "is_owner": false, "teams": u.Teams,
		}
	}
	return user
}

// zoneLabels gives Slack's long tz_label for common abbreviations; others
// are reported as the abbreviation itself.
var zoneLabels = map[string]string{
	"PST": "Pacific Standard Time", "PDT": "Pacific Daylight Time",
	"MST": "Mountain Standard Time", "MDT": "Mountain Daylight Time",
	"CST": "Central Standard Time", "CDT": "Central Daylight Time",
	"EST": "Eastern Standard Time", "EDT": "Eastern Daylight Time",
	"GMT": "Greenwich Mean Time", "BST": "British Summer Time", "UTC": "Coordinated Universal Time",
	"CET": "Central European Time", "CEST": "Central European Summer Time",
	"EET": "Eastern European Time", "EEST": "Eastern European Summer Time",
	"IST": "India Standard Time", "JST": "Japan Standard Time",
	"AEST": "Australian Eastern Standard Time", "AEDT": "Australian Eastern Daylight Time",
}

// conversationScope is the scope a conversations method needs for
// channel: im:, groups: (private channels) or channels: followed by kind.
// An unknown channel needs channels:, and then answers channel_not_found.
func (s *Server) conversationScope(channel, kind string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.userByDM[channel]; ok {
		return "im:" + kind
	}
	if c, ok := s.channels[channel]; ok && c.Private {
		return "groups:" + kind
	}
	return "channels:" + kind
}
