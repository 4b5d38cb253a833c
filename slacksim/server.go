// Package slacksim is a local Slack: it serves the Web API, Socket Mode and
// response_url endpoints on 127.0.0.1 the way Slack does, so the real
// slack-go client (and the bot built on it) can be driven and observed in
// tests, benchmarks and the interactive demo without knowing it is not Slack.
package slacksim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Options configures a Server. The zero value is a usable workspace.
type Options struct {
	TeamID, TeamDomain string // default "T0KEPT", "kept-sim"
	AppToken, BotToken string // default "xapp-1-sim", "xoxb-sim"; any other token gets invalid_auth
	AppID              string // default "A0KEPT"
	BotUserID          string // default "U0KEPTBOT"
	BotID              string // default "B0KEPT"

	// Scopes are the bot token's granted scopes, reported in X-OAuth-Scopes
	// and enforced per method (missing_scope). Default: what Kept needs.
	Scopes []string

	// AckTimeout is how long an envelope may wait for its ack (Slack: 3s).
	AckTimeout time.Duration
	// EventRetries is how many times an unacked events_api envelope is
	// redelivered (Slack: 3).
	EventRetries int
	// PingInterval is the period of server WebSocket pings (default 5s);
	// slack-go reconnects when none arrives for 30s.
	PingInterval time.Duration

	// Now is the clock for message timestamps, response_url expiry and
	// rate limits; nil means time.Now.
	Now func() time.Time
	// Wall is the clock trigger ids expire on. Slack's 3 seconds are real
	// time even when a test moves Now by hours, so it defaults to
	// time.Now; a test of expiry sets its own.
	Wall func() time.Time
	// Latency holds every Web API answer back this long, as a round trip
	// to Slack takes 100-500 ms. Zero answers at once.
	Latency time.Duration
	// Logf, if set, receives debug lines.
	Logf func(format string, args ...any)
}

// DefaultScopes is the bot scope list granted when Options.Scopes is nil.
var DefaultScopes = []string{"commands", "chat:write", "im:write", "users:read",
	"channels:read", "channels:history", "groups:read", "groups:history", "im:history", "usergroups:read"}

// Trigger ids and response URLs live as long as Slack lets them.
const (
	triggerTTL     = 3 * time.Second
	responseURLTTL = 30 * time.Minute
	responseURLMax = 5
	maxAckSize     = 20 * 1024
)

// Server is a running simulated workspace. All methods are safe for
// concurrent use.
type Server struct {
	opts     Options
	ln       net.Listener
	http     *http.Server
	base     string // http://127.0.0.1:port
	upgrader websocket.Upgrader
	done     chan struct{}
	wg       sync.WaitGroup

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced whenever anything is recorded
	closed   bool
	seq      int
	lastTS   int64 // microseconds of the last issued message ts
	users    map[string]User
	channels map[string]Channel
	dmByUser map[string]string
	userByDM map[string]string
	messages []*Message
	calls    []Call
	views    []View
	live     map[string]*liveView // views by id, current version
	homes    map[string]string    // user -> home view id
	errs     []error
	triggers map[string]trigger
	respURLs map[string]*respTarget
	tickets  map[string]bool
	dead     string // the error every bot-token call answers once the token is dead
	conns    []*conn
	next     int // round robin over conns
	opened   int
	pending  map[string]*pending
	faults   map[string][]Fault
	limits   map[string]int
	hits     map[string][]time.Time
	subs     map[int]chan Message
	groups   map[string][]string // user group id -> members
}

// New starts a simulator listening on 127.0.0.1 on a free port.
func New(opts Options) (*Server, error) {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&opts.TeamID, "T0KEPT")
	def(&opts.TeamDomain, "kept-sim")
	def(&opts.AppToken, "xapp-1-sim")
	def(&opts.BotToken, "xoxb-sim")
	def(&opts.AppID, "A0KEPT")
	def(&opts.BotUserID, "U0KEPTBOT")
	def(&opts.BotID, "B0KEPT")
	if opts.Scopes == nil {
		opts.Scopes = DefaultScopes
	}
	if opts.AckTimeout <= 0 {
		opts.AckTimeout = 3 * time.Second
	}
	if opts.EventRetries == 0 {
		opts.EventRetries = 3
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Wall == nil {
		opts.Wall = time.Now
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("slacksim: listen: %w", err)
	}
	s := &Server{
		opts: opts,
		ln:   ln,
		base: "http://" + ln.Addr().String(),
		// slack-go dials with Origin https://api.slack.com.
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		done:     make(chan struct{}),
		changed:  make(chan struct{}),
		users:    map[string]User{},
		channels: map[string]Channel{},
		dmByUser: map[string]string{},
		userByDM: map[string]string{},
		live:     map[string]*liveView{},
		homes:    map[string]string{},
		triggers: map[string]trigger{},
		respURLs: map[string]*respTarget{},
		tickets:  map[string]bool{},
		pending:  map[string]*pending{},
		faults:   map[string][]Fault{},
		limits:   map[string]int{},
		hits:     map[string][]time.Time{},
		subs:     map[int]chan Message{},
	}
	s.users[opts.BotUserID] = User{ID: opts.BotUserID, Name: "kept", RealName: "Kept", IsBot: true, TZ: "America/Los_Angeles"}

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleLink)
	mux.HandleFunc("/actions/", s.handleResponseURL)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// URL is the Web API base URL, for slack.OptionAPIURL (trailing slash included).
func (s *Server) URL() string { return s.base + "/api/" }

// Close stops serving and closes every socket.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	conns := append([]*conn(nil), s.conns...)
	for id, ch := range s.subs {
		close(ch)
		delete(s.subs, id)
	}
	s.bump()
	s.mu.Unlock()

	for _, c := range conns {
		_ = c.ws.Close()
	}
	_ = s.http.Close()
	s.wg.Wait()
}

// User is a workspace member. TZ is an IANA zone name. TeamID is set for
// a member of another organisation met in a shared channel; "" means
// this workspace.
type User struct {
	ID, Name, RealName, TZ string
	Deleted, IsBot         bool
	Guest                  bool // a guest account: is_restricted in users.info
	TeamID                 string
	// Teams, on Enterprise Grid, are the workspaces of the org the user
	// is in (users.info's enterprise_user.teams); nil off Grid.
	Teams []string
}

// AddUser adds a member; SetUser is the same call, named for replacing one.
func (s *Server) AddUser(u User) { s.SetUser(u) }

// SetUser adds or replaces a member (e.g. to deactivate them or move zones).
func (s *Server) SetUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	s.bump()
}

// SetUserGroup adds or replaces a user group (S…) and its members, as
// usergroups.users.list answers them.
func (s *Server) SetUserGroup(id string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups == nil {
		s.groups = map[string][]string{}
	}
	s.groups[id] = append([]string(nil), members...)
	s.bump()
}

// Channel is a channel; the bot can post only if BotUserID is a member.
// Shared is a channel shared with another organisation (Slack Connect,
// is_ext_shared): its members include Users with their own TeamID.
// A private channel is invisible to a bot that is not in it (Slack answers
// channel_not_found) and needs the groups:* scopes instead of channels:*.
// An archived channel keeps its members and history and takes no posts
// (is_archived).
type Channel struct {
	ID, Name string
	Members  []string
	Private  bool
	Shared   bool
	Archived bool
}

func (c Channel) private() bool { return c.Private }

// AddChannel adds or replaces a channel.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Members = append([]string(nil), c.Members...)
	s.channels[c.ID] = c
	s.bump()
}

// Errors returns the protocol problems seen so far: unacked envelopes, stray
// or oversized acks, malformed requests, unknown methods.
func (s *Server) Errors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}

func (s *Server) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLocked(err)
}

// failLocked records a protocol problem; s.mu must be held.
func (s *Server) failLocked(err error) {
	s.errs = append(s.errs, err)
	s.logf("error: %v", err)
	s.bump()
}

// Wait blocks until cond returns true, re-evaluating it each time the
// simulator records something, or until ctx ends.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("slacksim: wait: %w", ctx.Err())
		}
	}
}

// bump wakes Wait callers; s.mu must be held.
func (s *Server) bump() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf("slacksim: "+format, args...)
	}
}

// newTS returns a message timestamp from the clock, strictly increasing so
// that it can serve as a message id even when the clock stands still.
// s.mu must be held.
func (s *Server) newTS() string {
	us := s.opts.Now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// nextID returns prefix plus a short sequence number; s.mu must be held.
func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%07d", prefix, s.seq)
}

// newTrigger issues a trigger id for user's action, valid for triggerTTL;
// s.mu must be held.
func (s *Server) newTrigger(user string) string {
	s.seq++
	now := s.opts.Wall()
	id := fmt.Sprintf("%d.%d.%s", s.seq, now.Unix(), randHex(16))
	// Long benchmarks: forget triggers nobody can use, sweeping once per
	// 1024 new ones rather than walking the map on every call.
	if n := len(s.triggers); n >= 4096 && n%1024 == 0 {
		for k, t := range s.triggers {
			if now.Sub(t.at) > time.Minute {
				delete(s.triggers, k)
			}
		}
	}
	s.triggers[id] = trigger{at: now, user: user}
	return id
}

func randHex(n int) string {
	b := make([]byte, n/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// envelopeID looks like Slack's: a random UUID.
func envelopeID() string {
	h := randHex(32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// dmChannel returns the stable IM channel id between the bot and user;
// s.mu must be held.
func (s *Server) dmChannel(user string) string {
	if id, ok := s.dmByUser[user]; ok {
		return id
	}
	id := "D" + user[1:]
	if _, taken := s.userByDM[id]; taken || len(user) < 2 {
		id = s.nextID("D")
	}
	s.dmByUser[user] = id
	s.userByDM[id] = user
	return id
}

// userName is the handle shown for id, or id itself if unknown; s.mu must be held.
func (s *Server) userName(id string) string {
	if u, ok := s.users[id]; ok && u.Name != "" {
		return u.Name
	}
	return id
}

var errClosed = errors.New("slacksim: server closed")

// RevokeToken kills the bot token as an uninstall or a revocation does:
// from now on every call made with it answers ok:false with code
// ("token_revoked" or "account_inactive"). The app-level token, which
// belongs to the app and not to the install, keeps working.
func (s *Server) RevokeToken(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dead = code
	s.bump()
}
