package inbound

import (
	"context"
	"sync"
	"time"
)

// Follow-up work is the Slack calls a handler makes besides its answer:
// rewriting the clicked message, republishing a Home tab, telling a new
// owner. Slack shows an error to whoever clicked if the ack takes over 3
// seconds, so none of it may come before the ack: a handler queues it with
// later, and it runs once the envelope is acknowledged, a few at a time,
// each with a deadline, and a shutdown waits for it.

const (
	// followUpLimit is how many follow-ups run at once: enough for a burst
	// of clicks, few enough that a slow Slack does not pile up goroutines.
	followUpLimit = 16
	// followUpTimeout bounds one follow-up, waiting for its turn included.
	followUpTimeout = 15 * time.Second
)

// eventAckBudget is how long an event's work may hold back its ack
// (beforeAck): Slack waits 3 seconds before it counts an envelope as
// unanswered and sends it again.
const eventAckBudget = 2 * time.Second

// beforeAck runs an event's work before the envelope is acknowledged, so
// that a crash in the middle leaves Slack to deliver it again rather than
// losing it (its handlers take a redelivered event once), and so that a
// burst of events is never dropped for want of a follow-up slot. Work
// still running after eventAckBudget (a slow Slack) goes on after the ack,
// as a follow-up would; Settle and a shutdown wait for it either way. fn
// gets its own context: what it queues with later runs when fn does.
func (b *Bot) beforeAck(ctx context.Context, fn func(context.Context)) {
	b.pending.add()
	done := make(chan struct{})
	go func() {
		defer b.pending.done()
		defer close(done)
		fctx, cancel := context.WithTimeout(context.Background(), followUpTimeout)
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				b.cfg.Log.Error("event handler panicked", "panic", r)
			}
		}()
		fn(fctx)
	}()
	t := time.NewTimer(eventAckBudget)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		b.cfg.Log.Warn("event still being handled after the ack budget; acknowledging it now", "budget", eventAckBudget)
	case <-ctx.Done():
	}
}

// followUps is the queue of one envelope, carried in its context.
type followUps struct {
	mu  sync.Mutex
	fns []func(context.Context)
}

type followUpsKey struct{}

// pending counts follow-ups queued or running, so that Settle and a
// shutdown can wait for them.
type pending struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed while n == 0
}

func (p *pending) add() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n == 0 {
		p.idle = make(chan struct{})
	}
	p.n++
}

func (p *pending) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n--
	if p.n == 0 {
		close(p.idle)
	}
}

func (p *pending) wait(ctx context.Context) error {
	p.mu.Lock()
	if p.n == 0 {
		p.mu.Unlock()
		return nil
	}
	idle := p.idle
	p.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// withFollowUps gives ctx a queue for the follow-ups of one envelope.
func withFollowUps(ctx context.Context) (context.Context, *followUps) {
	q := &followUps{}
	return context.WithValue(ctx, followUpsKey{}, q), q
}

// later runs fn after the envelope ctx belongs to is acknowledged, or at
// once (in the background) when ctx carries no envelope. fn gets its own
// context with a deadline; it must not need the handler's.
func (b *Bot) later(ctx context.Context, fn func(context.Context)) {
	b.pending.add() // counted from now, so Settle after the ack sees it
	if q, ok := ctx.Value(followUpsKey{}).(*followUps); ok {
		q.mu.Lock()
		q.fns = append(q.fns, fn)
		q.mu.Unlock()
		return
	}
	b.runFollowUp(fn)
}

// runQueued starts the follow-ups queued in q, after the ack.
func (b *Bot) runQueued(q *followUps) {
	q.mu.Lock()
	fns := q.fns
	q.fns = nil
	q.mu.Unlock()
	for _, fn := range fns {
		b.runFollowUp(fn)
	}
}

func (b *Bot) runFollowUp(fn func(context.Context)) {
	go func() {
		defer b.pending.done()
		ctx, cancel := context.WithTimeout(context.Background(), followUpTimeout)
		defer cancel()
		select {
		case b.slots <- struct{}{}:
			defer func() { <-b.slots }()
		case <-ctx.Done():
			b.cfg.Log.Warn("follow-up dropped: too many waiting", "limit", followUpLimit)
			return
		}
		defer func() {
			if r := recover(); r != nil {
				b.cfg.Log.Error("follow-up panicked", "panic", r)
			}
		}()
		fn(ctx)
	}()
}

// Settle waits until the follow-up work of everything acknowledged so far
// is done, or ctx ends. A shutdown waits the same way; tests use it to
// look at Slack once Kept is done with it.
func (b *Bot) Settle(ctx context.Context) error { return b.pending.wait(ctx) }
