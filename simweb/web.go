// Package simweb draws a slacksim workspace in a browser as a small Slack:
// channels, the app's direct messages and Home tab, a composer with slash
// commands and mentions, Block Kit drawn the way Slack draws it, modals,
// the message shortcut, a clock that can be moved and a switch of who you
// are. Everything it does goes through slacksim's own entry points (slash
// commands, clicks, view submissions, events), so the bot under it talks to
// the simulator over real sockets exactly as it would to Slack.
//
// The page is plain HTML, CSS and JavaScript embedded in the binary: it
// needs no network, no CDN and no build step.
package simweb

import (
	"cmp"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/slacksim"
)

//go:embed assets
var assets embed.FS

// Person is someone the page lets you be.
type Person struct {
	ID   string // a member of the simulated workspace
	Role string // what they stand for, shown in the switcher: "account manager", "admin", "lead"
	// Org is set for a member of another organisation in a shared channel
	// (Slack Connect): the app is not installed for them, so its commands,
	// shortcut and messages are not theirs.
	Org string
}

// Command is a slash command as the app's manifest declares it.
type Command struct{ Name, Description, UsageHint string }

// Shortcut is a message shortcut as the app's manifest declares it.
type Shortcut struct{ Name, CallbackID, Description string }

// Clock is the simulated time: it runs, and the page can push it ahead.
type Clock interface {
	Now() time.Time
	Advance(d time.Duration) time.Time
}

// Options describe the workspace around the simulator.
type Options struct {
	Workspace string // shown at the top of the sidebar
	AppName   string // the app under test, e.g. "Kept"
	People    []Person
	Commands  []Command
	Shortcuts []Shortcut
	Clock     Clock
	// Tick runs after the clock moves, so that what fell due goes out at
	// once rather than on the app's next tick.
	Tick func(context.Context) error
}

// Web serves the page and its API. It is an http.Handler.
type Web struct {
	sim  *slacksim.Server
	opts Options
	mux  *http.ServeMux

	mu    sync.Mutex
	moved chan struct{} // closed and replaced when the clock moves
}

// New returns the page for sim.
func New(sim *slacksim.Server, opts Options) *Web {
	if opts.AppName == "" {
		opts.AppName = "App"
	}
	w := &Web{sim: sim, opts: opts, mux: http.NewServeMux(), moved: make(chan struct{})}
	static, _ := fs.Sub(assets, "assets")
	w.mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	w.mux.HandleFunc("GET /{$}", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Header().Set("Cache-Control", "no-store")
		b, _ := assets.ReadFile("assets/index.html")
		_, _ = rw.Write(b)
	})
	w.mux.HandleFunc("GET /favicon.ico", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "image/svg+xml")
		b, _ := assets.ReadFile("assets/icon.svg")
		_, _ = rw.Write(b)
	})
	w.mux.HandleFunc("GET /api/state", w.handleState)
	w.mux.HandleFunc("GET /api/events", w.handleEvents)
	w.mux.HandleFunc("POST /api/send", w.post(w.send))
	w.mux.HandleFunc("POST /api/action", w.post(w.action))
	w.mux.HandleFunc("POST /api/submit", w.post(w.submit))
	w.mux.HandleFunc("POST /api/close", w.post(w.closeModal))
	w.mux.HandleFunc("POST /api/shortcut", w.post(w.shortcut))
	w.mux.HandleFunc("POST /api/home", w.post(w.openHome))
	w.mux.HandleFunc("POST /api/clock", w.post(w.moveClock))
	return w
}

func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) { w.mux.ServeHTTP(rw, r) }

// request is what every POST carries; each handler reads its part.
type request struct {
	As       string          `json:"as"`
	Conv     string          `json:"conv"`
	Text     string          `json:"text"`
	TS       string          `json:"ts"`
	Thread   string          `json:"thread_ts"`
	View     string          `json:"view"`
	ActionID string          `json:"action_id"`
	Value    string          `json:"value"`
	Callback string          `json:"callback_id"`
	Values   json.RawMessage `json:"values"`
	Clear    bool            `json:"clear"`
	Advance  string          `json:"advance"`
	To       string          `json:"to"`
}

// problem is an answer the page shows to the person, not a server fault.
type problem struct{ msg string }

func (p problem) Error() string { return p.msg }

func (w *Web) post(h func(context.Context, slacksim.User, Person, request) (any, error)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		// Only the page itself may act: JSON (which a cross-site form cannot
		// send without a preflight this server never grants) from its own origin.
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || !sameOrigin(r) {
			writeJSON(rw, http.StatusForbidden, map[string]string{"error": "only the page itself can do this"})
			return
		}
		var req request
		if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<20)).Decode(&req); err != nil {
			writeJSON(rw, http.StatusBadRequest, map[string]string{"error": "bad request: " + err.Error()})
			return
		}
		u, p, ok := w.person(req.As)
		if !ok {
			writeJSON(rw, http.StatusBadRequest, map[string]string{"error": "no such person: " + req.As})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
		defer cancel()
		out, err := h(ctx, u, p, req)
		var pr problem
		switch {
		case errors.As(err, &pr):
			writeJSON(rw, http.StatusOK, map[string]string{"notice": pr.msg})
		case err != nil:
			writeJSON(rw, http.StatusOK, map[string]string{"error": err.Error()})
		case out == nil:
			writeJSON(rw, http.StatusOK, map[string]bool{"ok": true})
		default:
			writeJSON(rw, http.StatusOK, out)
		}
	}
}

// sameOrigin accepts requests without an Origin (same-origin GETs, tools)
// and those whose Origin is the host they were sent to.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || o == "http://"+r.Host || o == "https://"+r.Host
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

// person finds who id is; the first person when id is empty.
func (w *Web) person(id string) (slacksim.User, Person, bool) {
	if id == "" && len(w.opts.People) > 0 {
		id = w.opts.People[0].ID
	}
	for _, p := range w.opts.People {
		if p.ID != id {
			continue
		}
		for _, u := range w.sim.Users() {
			if u.ID == id {
				return u, p, true
			}
		}
	}
	return slacksim.User{}, Person{}, false
}

func zone(u slacksim.User) *time.Location {
	if loc, err := time.LoadLocation(u.TZ); err == nil && u.TZ != "" {
		return loc
	}
	return time.UTC
}

// workspace is one consistent look at the simulator for one viewer.
type workspace struct {
	me       slacksim.User
	users    map[string]slacksim.User
	channels []slacksim.Channel
	dm       string // me's DM channel with the app
	v        viewer
	s        surface
	color    func(id string) string
	orgs     map[string]string // person -> their organisation, if not this one
}

func (w *Web) look(me slacksim.User) *workspace {
	ws := &workspace{me: me, users: map[string]slacksim.User{}, color: w.color, orgs: map[string]string{}}
	for _, p := range w.opts.People {
		if p.Org != "" {
			ws.orgs[p.ID] = p.Org
		}
	}
	for _, u := range w.sim.Users() {
		ws.users[u.ID] = u
	}
	for _, c := range w.sim.Channels() {
		if slices.Contains(c.Members, me.ID) {
			ws.channels = append(ws.channels, c)
		}
	}
	ws.dm = w.sim.DMChannel(me.ID)
	names := map[string]string{}
	for _, c := range w.sim.Channels() {
		names[c.ID] = c.Name
	}
	ws.v = viewer{
		user: me.ID, loc: zone(me), now: w.opts.Clock.Now(),
		name: func(id string) string {
			if u, ok := ws.users[id]; ok {
				return displayName(u)
			}
			return id
		},
		channel: func(id string) string {
			if n, ok := names[id]; ok {
				return n
			}
			return id
		},
	}
	ws.s = surface{viewer: ws.v}
	for _, p := range w.opts.People {
		if u, ok := ws.users[p.ID]; ok && !u.IsBot && !u.Deleted && p.Org == "" {
			ws.s.people = append(ws.s.people, option{Text: text{Type: "plain_text", Text: displayName(u)}, Value: u.ID})
		}
	}
	return ws
}

func displayName(u slacksim.User) string {
	if u.RealName != "" {
		return u.RealName
	}
	return u.Name
}

// visible says whether me sees m in the conversation.
func (ws *workspace) visible(m slacksim.Message) bool {
	return !m.Deleted && (!m.Ephemeral || m.EphemeralTo == ws.me.ID)
}

type stateJSON struct {
	Workspace string       `json:"workspace"`
	App       string       `json:"app"`
	Me        personJSON   `json:"me"`
	People    []personJSON `json:"people"`
	Channels  []convJSON   `json:"channels"`
	Apps      []convJSON   `json:"apps"`
	Conv      *convJSON    `json:"conv"`
	Messages  []msgJSON    `json:"messages"`
	Home      *homeJSON    `json:"home"`
	Modal     *modalJSON   `json:"modal"`
	Commands  []Command    `json:"commands"`
	Shortcuts []Shortcut   `json:"shortcuts"`
	Clock     clockJSON    `json:"clock"`
}

type personJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	RealName string `json:"real_name"`
	TZ       string `json:"tz"`
	Role     string `json:"role"`
	Org      string `json:"org,omitempty"`
	Color    string `json:"color"`
	Local    string `json:"local"`
}

type convJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"` // channel or app
	Shared   bool   `json:"shared,omitempty"`
	Private  bool   `json:"private,omitempty"`
	AppIn    bool   `json:"app_in"`
	Members  int    `json:"members"`
	Count    int    `json:"count"` // messages me can see, for unread marks
	ReadOnly bool   `json:"read_only,omitempty"`
}

type msgJSON struct {
	TS   string `json:"ts"`
	HTML string `json:"html"`
}

type modalJSON struct {
	ID     string `json:"id"`
	Hash   string `json:"hash"`
	Title  string `json:"title"`
	Submit string `json:"submit"`
	Close  string `json:"close"`
	HTML   string `json:"html"`
}

type homeJSON struct {
	ID   string `json:"id"`
	HTML string `json:"html"`
}

type clockJSON struct {
	Now   string `json:"now"`
	Text  string `json:"text"`
	Input string `json:"input"` // for a datetime-local control, in me's zone
}

var avatarColors = []string{"#e01e5a", "#1264a3", "#b35c00", "#7c3085", "#36a2c9", "#4a154b", "#ecb22e", "#2e7d32"}

// color is a person's avatar colour: by their place in the switcher, so
// that no two share one, else from their id.
func (w *Web) color(id string) string {
	if id == w.sim.BotUserID() {
		return "#2bac76"
	}
	for i, p := range w.opts.People {
		if p.ID == id {
			return avatarColors[i%len(avatarColors)]
		}
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return avatarColors[h.Sum32()%uint32(len(avatarColors))]
}

func (w *Web) personJSON(u slacksim.User, p Person, now time.Time) personJSON {
	return personJSON{
		ID: u.ID, Name: u.Name, RealName: displayName(u), TZ: u.TZ, Role: p.Role, Org: p.Org,
		Color: w.color(u.ID), Local: now.In(zone(u)).Format("Mon 2 Jan, 3:04 PM MST"),
	}
}

func (w *Web) handleState(rw http.ResponseWriter, r *http.Request) {
	me, p, ok := w.person(r.URL.Query().Get("as"))
	if !ok {
		writeJSON(rw, http.StatusBadRequest, map[string]string{"error": "no such person"})
		return
	}
	st, err := w.state(me, p, r.URL.Query().Get("conv"), r.URL.Query().Get("tab"))
	if err != nil {
		writeJSON(rw, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(rw, http.StatusOK, st)
}

func (w *Web) state(me slacksim.User, p Person, conv, tab string) (*stateJSON, error) {
	ws := w.look(me)
	now := ws.v.now
	st := &stateJSON{
		Workspace: w.opts.Workspace, App: w.opts.AppName,
		Me: w.personJSON(me, p, now),
		Clock: clockJSON{
			Now:   now.UTC().Format(time.RFC3339),
			Text:  now.In(ws.v.loc).Format("Mon 2 Jan 2006, 3:04 PM MST"),
			Input: now.In(ws.v.loc).Format("2006-01-02T15:04"),
		},
		Commands: []Command{}, Shortcuts: []Shortcut{}, Messages: []msgJSON{},
		People: []personJSON{}, Channels: []convJSON{}, Apps: []convJSON{},
	}
	for _, q := range w.opts.People {
		if u, ok := ws.users[q.ID]; ok {
			st.People = append(st.People, w.personJSON(u, q, now))
		}
	}
	external := p.Org != ""
	if !external {
		st.Commands, st.Shortcuts = w.opts.Commands, w.opts.Shortcuts
	}
	msgs := w.sim.Messages()
	count := map[string]int{}
	for _, m := range msgs {
		if ws.visible(m) {
			count[m.Channel]++
		}
	}
	bot := w.sim.BotUserID()
	for _, c := range ws.channels {
		shared := c.Shared
		for _, id := range c.Members {
			if q := w.find(id); q.Org != "" {
				shared = true
			}
		}
		st.Channels = append(st.Channels, convJSON{ID: c.ID, Name: c.Name, Kind: "channel", Shared: shared, Private: c.Private,
			AppIn: slices.Contains(c.Members, bot), Members: len(c.Members), Count: count[c.ID]})
	}
	if !external {
		st.Apps = append(st.Apps, convJSON{ID: ws.dm, Name: w.opts.AppName, Kind: "app", AppIn: true, Members: 2, Count: count[ws.dm], ReadOnly: true})
	}
	var cur *convJSON
	for _, c := range append(slices.Clone(st.Channels), st.Apps...) {
		// "@app" is the app's DM with whoever is looking, for a page
		// that switches people while the app is open.
		if c.ID == conv || conv == "@app" && c.Kind == "app" {
			cur = &c
		}
	}
	// First look: the channel the app is in, else the first one.
	for i := range st.Channels {
		if cur == nil && st.Channels[i].AppIn {
			cur = &st.Channels[i]
		}
	}
	if cur == nil && len(st.Channels) > 0 {
		cur = &st.Channels[0]
	}
	st.Conv = cur
	if cur != nil && !(cur.Kind == "app" && tab == "home") {
		// Replies sit under the message they answer, as an open thread.
		slices.SortStableFunc(msgs, func(a, b slacksim.Message) int {
			return cmp.Compare(tsMicros(threadRoot(a)), tsMicros(threadRoot(b)))
		})
		for _, m := range msgs {
			if m.Channel != cur.ID || !ws.visible(m) {
				continue
			}
			h, err := ws.message(m)
			if err != nil {
				return nil, err
			}
			st.Messages = append(st.Messages, msgJSON{TS: m.TS, HTML: h})
		}
	}
	if cur != nil && cur.Kind == "app" && tab == "home" {
		if v, ok := w.sim.HomeView(me.ID); ok {
			h, err := ws.s.blocks(viewBlocks(v))
			if err != nil {
				return nil, err
			}
			st.Home = &homeJSON{ID: v.ID, HTML: h}
		}
	}
	if v, ok := w.sim.OpenModal(me.ID); ok {
		h, err := ws.s.blocks(viewBlocks(v))
		if err != nil {
			return nil, err
		}
		title := func(t *slack.TextBlockObject, def string) string {
			if t == nil || t.Text == "" {
				return def
			}
			return t.Text
		}
		st.Modal = &modalJSON{ID: v.ID, Hash: v.Hash, HTML: h,
			Title: title(v.View.Title, w.opts.AppName), Submit: title(v.View.Submit, ""), Close: title(v.View.Close, "Cancel")}
	}
	return st, nil
}

func (w *Web) find(id string) Person {
	for _, p := range w.opts.People {
		if p.ID == id {
			return p
		}
	}
	return Person{}
}

func viewBlocks(v slacksim.View) json.RawMessage {
	var spec struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal(v.JSON, &spec)
	if len(spec.Blocks) == 0 {
		return json.RawMessage("[]")
	}
	return spec.Blocks
}

// message renders one message as Slack lays it out: avatar, name, time,
// then its blocks (or text).
func (ws *workspace) message(m slacksim.Message) (string, error) {
	u, ok := ws.users[m.User]
	if !ok {
		u = slacksim.User{ID: m.User, Name: m.User}
	}
	body := ws.v.mrkdwn(m.Text)
	if len(m.BlocksJSON) > 0 {
		b, err := ws.s.blocks(m.BlocksJSON)
		if err != nil {
			return "", err
		}
		body = b
	}
	var b strings.Builder
	class := "msg"
	if m.Ephemeral {
		class += " msg-ephemeral"
	}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		class += " msg-reply"
	}
	fmt.Fprintf(&b, `<div class="%s" data-ts="%s" data-channel="%s" data-user="%s">`, class, attr(m.TS), attr(m.Channel), attr(m.User))
	if m.Ephemeral {
		b.WriteString(`<div class="msg-only-you"><span class="eye">👁</span> Only visible to you</div>`)
	}
	initial := strings.ToUpper(string([]rune(displayName(u))[:1]))
	if u.IsBot {
		initial = "✓"
	}
	fmt.Fprintf(&b, `<div class="msg-row"><div class="avatar" style="background:%s">%s</div><div class="msg-main"><div class="msg-head"><span class="msg-name">%s</span>`,
		ws.color(u.ID), attr(initial), attr(displayName(u)))
	if u.IsBot {
		b.WriteString(`<span class="badge-app">APP</span>`)
	}
	if org := ws.orgs[u.ID]; org != "" {
		b.WriteString(`<span class="msg-org">🏢 ` + attr(org) + `</span>`)
	}
	fmt.Fprintf(&b, `<time class="msg-time">%s</time>`, tsTime(m.TS).In(ws.v.loc).Format("3:04 PM"))
	if m.Updates > 0 {
		b.WriteString(`<span class="msg-edited">(edited)</span>`)
	}
	b.WriteString(`</div><div class="msg-body">` + body + `</div>`)
	if m.ReplyCount > 0 {
		fmt.Fprintf(&b, `<div class="msg-replies">%d %s</div>`, m.ReplyCount, map[bool]string{true: "reply", false: "replies"}[m.ReplyCount == 1])
	}
	b.WriteString(`</div></div></div>`)
	return b.String(), nil
}

// threadRoot is the ts of the thread m belongs to: its parent's, or its own.
func threadRoot(m slacksim.Message) string {
	if m.ThreadTS != "" {
		return m.ThreadTS
	}
	return m.TS
}

func tsMicros(ts string) int64 {
	t := tsTime(ts)
	return t.UnixMicro()
}

func tsTime(ts string) time.Time {
	var sec, us int64
	_, _ = fmt.Sscanf(ts, "%d.%d", &sec, &us)
	return time.Unix(sec, us*1000)
}

// handleEvents streams a line whenever the workspace or the clock changes;
// the page then fetches its state again (server-sent events).
func (w *Web) handleEvents(rw http.ResponseWriter, r *http.Request) {
	flusher, ok := rw.(http.Flusher)
	if !ok {
		http.Error(rw, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "text/event-stream")
	rw.Header().Set("Cache-Control", "no-store")
	keepalive := time.NewTicker(20 * time.Second)
	defer keepalive.Stop()
	for n := 0; ; n++ {
		changed := w.sim.Changed()
		w.mu.Lock()
		moved := w.moved
		w.mu.Unlock()
		if _, err := fmt.Fprintf(rw, "data: %d\n\n", n); err != nil {
			return
		}
		flusher.Flush()
		select {
		case <-changed:
		case <-moved:
		case <-keepalive.C:
		case <-r.Context().Done():
			return
		}
	}
}

// A Slack client turns a typed @name into a mention; for slash commands
// with should_escape the server does (slacksim).
var typedMention = regexp.MustCompile(`(^|[\s(])([@#])([a-z0-9][a-z0-9._-]*)`)

// slackEscaper escapes typed text as Slack stores it; built once.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func (w *Web) send(ctx context.Context, me slacksim.User, p Person, req request) (any, error) {
	line := strings.TrimSpace(req.Text)
	if line == "" {
		return nil, nil
	}
	ws := w.look(me)
	if conv := req.Conv; conv != ws.dm && !slices.ContainsFunc(ws.channels, func(c slacksim.Channel) bool { return c.ID == conv }) {
		return nil, problem{"You are not in that conversation."}
	}
	if strings.HasPrefix(line, "/") {
		cmd, rest, _ := strings.Cut(line, " ")
		known := slices.ContainsFunc(w.opts.Commands, func(c Command) bool { return c.Name == cmd })
		if !known || p.Org != "" {
			return nil, problem{fmt.Sprintf("%s is not a valid command. In Slack, all messages that start with the \"/\" character are interpreted as commands.", cmd)}
		}
		if _, err := w.sim.SlashCommand(ctx, me.ID, req.Conv, cmd, strings.TrimSpace(rest)); err != nil {
			return nil, problem{fmt.Sprintf("%s failed with the error %q", cmd, slackCode(err))}
		}
		return nil, nil
	}
	if req.Conv == ws.dm {
		return nil, problem{"Sending messages to this app has been turned off."}
	}
	refs := map[string]string{} // "@ann" -> "<@U0ANN>", "#sales" -> "<#C0SALES>"
	for id, u := range ws.users {
		refs["@"+u.Name] = "<@" + id + ">"
	}
	for _, c := range w.sim.Channels() {
		refs["#"+c.Name] = "<#" + c.ID + ">"
	}
	text := slackEscaper.Replace(line)
	text = typedMention.ReplaceAllStringFunc(text, func(m string) string {
		sub := typedMention.FindStringSubmatch(m)
		// A trailing dot or dash ends the sentence, not the name.
		name := strings.TrimRight(sub[3], ".-_")
		if ref, ok := refs[sub[2]+name]; ok {
			return sub[1] + ref + sub[3][len(name):]
		}
		return m
	})
	// Say, not PostAs: an app in the channel gets the message event, as
	// it would from Slack.
	say := func() (slacksim.Message, error) { return w.sim.Say(ctx, me.ID, req.Conv, text) }
	if req.Thread != "" {
		say = func() (slacksim.Message, error) { return w.sim.Reply(ctx, me.ID, req.Conv, req.Thread, text) }
	}
	if _, err := say(); err != nil {
		return nil, problem{"Your message was posted, but the app did not take it: " + slackCode(err) + "."}
	}
	return nil, nil
}

// slackCode is what Slack would tell a person whose command went nowhere.
func slackCode(err error) string {
	if errors.Is(err, slacksim.ErrNoAck) || errors.Is(err, context.DeadlineExceeded) {
		return "operation_timeout"
	}
	return "dispatch_failed"
}

func (w *Web) action(ctx context.Context, me slacksim.User, _ Person, req request) (any, error) {
	var err error
	if req.View != "" {
		_, err = w.sim.ClickView(ctx, me.ID, req.View, req.ActionID, req.Value)
	} else {
		_, err = w.sim.Click(ctx, me.ID, slacksim.Message{Channel: req.Conv, TS: req.TS}, req.ActionID, req.Value)
	}
	if err != nil {
		return nil, problem{"That did not work: " + slackCode(err) + "."}
	}
	return nil, nil
}

func (w *Web) submit(ctx context.Context, me slacksim.User, _ Person, req request) (any, error) {
	values := map[string]map[string]slack.BlockAction{}
	if len(req.Values) > 0 {
		if err := json.Unmarshal(req.Values, &values); err != nil {
			return nil, fmt.Errorf("simweb: submit: values: %w", err)
		}
	}
	r, err := w.sim.SubmitView(ctx, me.ID, req.View, values)
	if err != nil {
		return nil, problem{"We had some trouble connecting. Try again? (" + slackCode(err) + ")"}
	}
	if r.ResponseAction == "errors" {
		return map[string]any{"errors": r.Errors}, nil
	}
	return nil, nil
}

func (w *Web) closeModal(ctx context.Context, me slacksim.User, _ Person, req request) (any, error) {
	return nil, w.sim.CloseView(ctx, me.ID, req.View, req.Clear)
}

func (w *Web) shortcut(ctx context.Context, me slacksim.User, p Person, req request) (any, error) {
	if p.Org != "" || !slices.ContainsFunc(w.opts.Shortcuts, func(s Shortcut) bool { return s.CallbackID == req.Callback }) {
		return nil, problem{"That shortcut is not available here."}
	}
	m, ok := w.sim.Message(req.Conv, req.TS)
	if !ok {
		return nil, problem{"That message is gone."}
	}
	if _, err := w.sim.MessageShortcut(ctx, me.ID, req.Callback, m); err != nil {
		return nil, problem{"That did not work: " + slackCode(err) + "."}
	}
	return nil, nil
}

func (w *Web) openHome(ctx context.Context, me slacksim.User, p Person, _ request) (any, error) {
	if p.Org != "" {
		return nil, problem{"The app is not installed for you."}
	}
	before, _ := w.sim.HomeView(me.ID)
	if err := w.sim.OpenHome(ctx, me.ID); err != nil {
		return nil, problem{"The Home tab did not load: " + slackCode(err) + "."}
	}
	// The app publishes after acking the event; wait briefly for it so
	// that the tab opens drawn, as Slack's does.
	wait, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_ = w.sim.Wait(wait, func() bool {
		v, ok := w.sim.HomeView(me.ID)
		return ok && v.Hash != before.Hash
	})
	return nil, nil
}

// moveClock pushes the simulated time ahead by a step or to a wall time in
// the viewer's zone, then lets the app deliver what fell due.
func (w *Web) moveClock(ctx context.Context, me slacksim.User, _ Person, req request) (any, error) {
	now := w.opts.Clock.Now()
	var d time.Duration
	switch {
	case req.To != "":
		t, err := time.ParseInLocation("2006-01-02T15:04", req.To, zone(me))
		if err != nil {
			return nil, problem{"Pick a date and a time to move the clock to."}
		}
		d = t.Sub(now)
		if d <= 0 {
			return nil, problem{"That is in the past: the clock only moves forward."}
		}
	default:
		steps := map[string]time.Duration{"10m": 10 * time.Minute, "1h": time.Hour, "1d": 24 * time.Hour, "1w": 7 * 24 * time.Hour}
		var ok bool
		if d, ok = steps[req.Advance]; !ok {
			return nil, problem{"Move the clock by 10m, 1h, 1d or 1w."}
		}
	}
	w.opts.Clock.Advance(d)
	w.mu.Lock()
	close(w.moved)
	w.moved = make(chan struct{})
	w.mu.Unlock()
	if w.opts.Tick != nil {
		if err := w.opts.Tick(ctx); err != nil {
			return nil, fmt.Errorf("simweb: deliver after moving the clock: %w", err)
		}
	}
	return nil, nil
}
