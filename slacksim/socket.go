package slacksim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// ErrNoAck means an envelope was not acknowledged within the ack timeout,
// or its connection went away before the ack; Slack then shows the user an
// error (slash commands, interactions) or redelivers (events).
var ErrNoAck = errors.New("slacksim: envelope not acknowledged within the ack timeout")

// ErrNoSocket means no Socket Mode connection is open to deliver to.
var ErrNoSocket = errors.New("slacksim: no Socket Mode connection")

var errConnLost = fmt.Errorf("socket closed before the ack: %w", ErrNoAck)

// conn is one Socket Mode WebSocket. gorilla allows one concurrent writer,
// hence wmu; pings use WriteControl, which may run alongside.
type conn struct {
	ws   *websocket.Conn
	wmu  sync.Mutex
	gone chan struct{} // closed when the read loop ends

	// draining is set (under Server.mu) once the connection was told to
	// disconnect or was dropped: like Slack, deliver nothing more on it.
	draining bool
}

func (c *conn) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// pending is an envelope waiting for its ack.
type pending struct{ ack chan json.RawMessage }

// envelope is a Socket Mode request frame.
type envelope struct {
	EnvelopeID             string  `json:"envelope_id"`
	Type                   string  `json:"type"`
	Payload                any     `json:"payload"`
	AcceptsResponsePayload bool    `json:"accepts_response_payload"`
	RetryAttempt           *int    `json:"retry_attempt,omitempty"`
	RetryReason            *string `json:"retry_reason,omitempty"`
}

// appsConnectionsOpen issues a single-use WebSocket URL.
func (s *Server) appsConnectionsOpen(*apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ticket := randHex(32)
	s.tickets[ticket] = true
	s.opened++
	s.bump()
	u := "ws" + strings.TrimPrefix(s.base, "http") + "/link/?" +
		url.Values{"ticket": {ticket}, "app_id": {s.opts.AppID}}.Encode()
	return map[string]any{"url": u}, ""
}

func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.tickets[ticket] && !s.closed
	delete(s.tickets, ticket)
	s.mu.Unlock()
	if !valid {
		s.fail(fmt.Errorf("slacksim: socket dial with unknown or used ticket %q", ticket))
		http.Error(w, "invalid ticket", http.StatusUnauthorized)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.fail(fmt.Errorf("slacksim: websocket upgrade: %w", err))
		return
	}
	c := &conn{ws: ws, gone: make(chan struct{})}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	n := len(s.liveConns()) + 1
	s.wg.Add(1) // under mu so Close cannot be past wg.Wait
	s.mu.Unlock()
	defer s.wg.Done()

	hello := map[string]any{
		"type":            "hello",
		"num_connections": n,
		"debug_info": map[string]any{
			"host": "applink-sim", "build_number": 10, "approximate_connection_time": 18060,
		},
		"connection_info": map[string]string{"app_id": s.opts.AppID},
	}
	if err := c.write(hello); err != nil {
		_ = ws.Close()
		return
	}
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.bump()
	s.mu.Unlock()
	s.logf("socket connected (%d open)", n)

	go s.pinger(c)
	s.readLoop(c)
}

// pinger sends the pings slack-go's deadman timer waits for.
func (s *Server) pinger(c *conn) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second)); err != nil {
				return
			}
		case <-c.gone:
			return
		}
	}
}

func (s *Server) readLoop(c *conn) {
	defer func() {
		_ = c.ws.Close()
		s.mu.Lock()
		for i, o := range s.conns {
			if o == c {
				s.conns = append(s.conns[:i], s.conns[i+1:]...)
				break
			}
		}
		close(c.gone)
		s.bump()
		s.mu.Unlock()
		s.logf("socket closed")
	}()
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		s.ack(data)
	}
}

// ack routes an acknowledgement to the caller waiting for it.
func (s *Server) ack(data []byte) {
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(data, &a); err != nil || a.EnvelopeID == "" {
		s.fail(fmt.Errorf("slacksim: unreadable socket frame %.200q", data))
		return
	}
	// Slack drops such acks without a word; the sender only sees the timeout.
	if len(data) >= maxAckSize {
		s.fail(fmt.Errorf("slacksim: ack for envelope %s is %d bytes, Slack ignores acks of 20 KB or more", a.EnvelopeID, len(data)))
		return
	}
	s.mu.Lock()
	p := s.pending[a.EnvelopeID]
	delete(s.pending, a.EnvelopeID)
	s.mu.Unlock()
	if p == nil {
		s.fail(fmt.Errorf("slacksim: ack for unknown or expired envelope %s", a.EnvelopeID))
		return
	}
	p.ack <- a.Payload
}

// exchange sends env on one live connection (round robin) and waits for
// its ack, the ack timeout, or the connection's end.
func (s *Server) exchange(ctx context.Context, env envelope) (json.RawMessage, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errClosed
	}
	live := s.liveConns()
	if len(live) == 0 {
		s.mu.Unlock()
		return nil, ErrNoSocket
	}
	c := live[s.next%len(live)]
	s.next++
	p := &pending{ack: make(chan json.RawMessage, 1)}
	s.pending[env.EnvelopeID] = p
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, env.EnvelopeID)
		s.mu.Unlock()
	}()

	s.logf("-> %s envelope %s", env.Type, env.EnvelopeID)
	if err := c.write(env); err != nil {
		return nil, errConnLost
	}
	timer := time.NewTimer(s.opts.AckTimeout)
	defer timer.Stop()
	select {
	case payload := <-p.ack:
		return payload, nil
	case <-c.gone:
		select { // the ack may have raced the close
		case payload := <-p.ack:
			return payload, nil
		default:
			return nil, errConnLost
		}
	case <-timer.C:
		return nil, ErrNoAck
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.done:
		return nil, errClosed
	}
}

// request delivers a slash_commands or interactive envelope once; Slack
// never retries those.
func (s *Server) request(ctx context.Context, typ string, payload any, acceptsResponse bool, what string) (Reply, error) {
	env := envelope{EnvelopeID: envelopeID(), Type: typ, Payload: payload, AcceptsResponsePayload: acceptsResponse}
	raw, err := s.exchange(ctx, env)
	if err != nil {
		err = fmt.Errorf("slacksim: %s (envelope %s): %w", what, env.EnvelopeID, err)
		if errors.Is(err, ErrNoAck) {
			s.fail(err)
		}
		return Reply{Envelope: env.EnvelopeID}, err
	}
	return decodeReply(env.EnvelopeID, raw), nil
}

// event delivers an events_api envelope, redelivering it with a higher
// retry_attempt while it goes unacknowledged, as Slack does.
func (s *Server) event(ctx context.Context, payload any, what string) error {
	for attempt := 0; attempt <= s.opts.EventRetries; attempt++ {
		reason := ""
		if attempt > 0 {
			reason = "timeout"
		}
		env := envelope{EnvelopeID: envelopeID(), Type: "events_api", Payload: payload,
			RetryAttempt: &attempt, RetryReason: &reason}
		_, err := s.exchange(ctx, env)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrNoSocket):
			// Nobody to deliver to: the attempt lasts one ack timeout,
			// delivered at once if a socket connects meanwhile.
			wctx, cancel := context.WithTimeout(ctx, s.opts.AckTimeout)
			werr := s.WaitConnected(wctx)
			cancel()
			if ctx.Err() != nil {
				return fmt.Errorf("slacksim: %s: %w", what, ctx.Err())
			}
			if werr == nil {
				attempt-- // connecting is not a redelivery
			}
		case !errors.Is(err, ErrNoAck):
			return fmt.Errorf("slacksim: %s: %w", what, err)
		}
	}
	err := fmt.Errorf("slacksim: %s: unacknowledged after %d deliveries: %w", what, s.opts.EventRetries+1, ErrNoAck)
	s.fail(err)
	return err
}

// Disconnect asks every open connection to reconnect, as Slack does before
// a refresh; slack-go closes the socket and opens a new one at once.
func (s *Server) Disconnect(reason string) {
	msg := map[string]any{"type": "disconnect", "reason": reason,
		"debug_info": map[string]string{"host": "applink-sim"}}
	for _, c := range s.drain() {
		_ = c.write(msg)
	}
}

// DropConnections closes every socket's TCP connection without a close frame.
func (s *Server) DropConnections() {
	for _, c := range s.drain() {
		_ = c.ws.NetConn().Close()
	}
}

// drain marks every live connection draining and returns them.
func (s *Server) drain() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	live := s.liveConns()
	for _, c := range live {
		c.draining = true
	}
	s.bump()
	return live
}

// liveConns are the connections envelopes may go to; s.mu must be held.
func (s *Server) liveConns() []*conn {
	var live []*conn
	for _, c := range s.conns {
		if !c.draining {
			live = append(live, c)
		}
	}
	return live
}

// WaitConnected blocks until at least one socket has been sent its hello.
func (s *Server) WaitConnected(ctx context.Context) error {
	return s.Wait(ctx, func() bool { return s.Connections() > 0 })
}

// Connections is the number of open sockets, not counting those told to
// disconnect or dropped.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.liveConns())
}

// ConnectionsOpened counts successful apps.connections.open calls.
func (s *Server) ConnectionsOpened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened
}
