package store

import (
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// maxGroup bounds the commands one group commit writes, as bbolt's
// MaxBatchSize does, so that one failing command's retries stay cheap.
const maxGroup = 1000

// group is the store's group commit. A command that finds no commit in
// progress writes at once, alone. One that arrives while a commit is
// being written queues, and when that commit is done the first queued
// command writes everything that queued meanwhile in one transaction and
// one pair of fsyncs. The group is what arrived during the previous
// commit, so it grows with the load and no command waits for a timer:
// bbolt's DB.Batch closes a batch after MaxBatchDelay whatever the disk
// does, so a commit slower than the delay left batches queued behind it,
// each paying its own fsyncs.
type group struct {
	mu      sync.Mutex
	writing bool
	queue   []*groupCall
}

// update runs fn in one write transaction: bbolt's DB.Update, or a
// test's stand-in.
type update func(fn func(*bolt.Tx) error) error

type groupCall struct {
	fn   func(*bolt.Tx) error
	done chan error // one answer: the commit's result, errLead or errSolo
}

var (
	// errLead hands the next commit to a queued command.
	errLead = errors.New("store: lead the next group commit")
	// errSolo sends a command whose fn failed in a group to run alone,
	// so that its error is its own and the others commit without it.
	errSolo = errors.New("store: commit alone")
)

// run commits fn with whatever else is committing. fn may run more than
// once (a group that fails is retried without the failing call), so it
// must start from its arguments, as with DB.Batch.
func (g *group) run(update update, fn func(*bolt.Tx) error) error {
	c := &groupCall{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.writing
	g.writing = true
	g.mu.Unlock()
	if lead {
		g.lead(update)
	}
	err := <-c.done
	if err == errLead {
		g.lead(update) // its group holds c, which it answers
		err = <-c.done
	}
	if err == errSolo {
		return update(fn)
	}
	return err
}

// lead writes the queue's head as one transaction, then hands the
// next commit on.
func (g *group) lead(update update) {
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	calls := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()
	// Hand on even if bbolt panics, so that the commands queued behind
	// this commit are not left waiting for a leader.
	defer g.handOn()
	commitGroup(update, calls)
}

// handOn gives the next commit to the first command queued, or ends the
// run when none is.
func (g *group) handOn() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) > 0 {
		g.queue[0].done <- errLead
		return
	}
	g.writing = false
	g.queue = nil
}

// commitGroup runs calls in one transaction and answers each. A call
// whose fn fails is taken out and told to run alone; the rest are
// retried without it. A group of one has run alone already: its fn's
// error is its answer.
func commitGroup(update update, calls []*groupCall) {
	// bbolt itself may panic (on a damaged page, in Commit): answer the
	// calls still waiting before the panic goes on to the leader's caller.
	defer func() {
		if p := recover(); p != nil {
			for _, c := range calls {
				c.done <- fmt.Errorf("store: commit: %v", p)
			}
			panic(p)
		}
	}()
	for len(calls) > 0 {
		failed, panicked := -1, false
		err := update(func(tx *bolt.Tx) error {
			for i, c := range calls {
				if err := safeCall(c.fn, tx); err != nil {
					failed = i
					_, panicked = err.(fnPanic)
					return err
				}
			}
			return nil
		})
		if failed < 0 || len(calls) == 1 && !panicked {
			for _, c := range calls {
				c.done <- err
			}
			return
		}
		calls[failed].done <- errSolo
		calls = append(calls[:failed:failed], calls[failed+1:]...)
	}
}

// fnPanic is a command's panic inside a group commit, as an error.
type fnPanic struct{ p any }

func (e fnPanic) Error() string { return fmt.Sprintf("panic in a group commit: %v", e.p) }

// safeCall runs fn, turning a panic into an fnPanic so that one
// command's bug fails its own commit, not the group. The command then
// runs alone, where its panic is its caller's.
func safeCall(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fnPanic{p}
		}
	}()
	return fn(tx)
}
