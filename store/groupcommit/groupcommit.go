// Package groupcommit writes commands that arrive while a commit is in
// progress together, in the next transaction, so that many share one
// commit's fsyncs. Both of Kept's stores use it: bbolt's write
// transactions and PostgreSQL's.
package groupcommit

import (
	"errors"
	"fmt"
	"sync"
)

// MaxGroup bounds the commands one group commit writes, as bbolt's
// MaxBatchSize does, so that one failing command's retries stay cheap.
const MaxGroup = 1000

// Group is a group commit over transactions of type T. A command that
// finds no commit in progress writes at once, alone. One that arrives
// while a commit is being written queues, and when that commit is done
// the first queued command writes everything that queued meanwhile in
// one transaction. The group is what arrived during the previous commit,
// so it grows with the load and no command waits for a timer: bbolt's
// DB.Batch closes a batch after MaxBatchDelay whatever the disk does, so
// a commit slower than the delay left batches queued behind it, each
// paying its own fsyncs.
//
// The zero value is ready to use.
type Group[T any] struct {
	mu      sync.Mutex
	writing bool
	queue   []*call[T]
}

// Update runs fn in one transaction and commits it, or returns fn's
// error (or the commit's) having rolled it back.
type Update[T any] func(fn func(T) error) error

type call[T any] struct {
	fn   func(T) error
	done chan error // one answer: the commit's result, errLead or errSolo
}

var (
	// errLead hands the next commit to a queued command.
	errLead = errors.New("groupcommit: lead the next group commit")
	// errSolo sends a command whose fn failed in a group to run alone,
	// so that its error is its own and the others commit without it.
	errSolo = errors.New("groupcommit: commit alone")
)

// Run commits fn with whatever else is committing on g, in a
// transaction of update. fn may run more than once (a group that fails
// is retried without the failing call), so it must start from its
// arguments, as with bbolt's DB.Batch. A failing fn is run again alone,
// so the error Run returns is fn's own.
func (g *Group[T]) Run(update Update[T], fn func(T) error) error {
	c := &call[T]{fn: fn, done: make(chan error, 1)}
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

// Waiting is how many commands are queued behind the commit in progress.
func (g *Group[T]) Waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// lead writes the queue's head as one transaction, then hands the
// next commit on.
func (g *Group[T]) lead(update Update[T]) {
	g.mu.Lock()
	n := min(len(g.queue), MaxGroup)
	calls := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()
	// Hand on even if the commit panics, so that the commands queued
	// behind it are not left waiting for a leader.
	defer g.handOn()
	commit(update, calls)
}

// handOn gives the next commit to the first command queued, or ends the
// run when none is.
func (g *Group[T]) handOn() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) > 0 {
		g.queue[0].done <- errLead
		return
	}
	g.writing = false
	g.queue = nil
}

// commit runs calls in one transaction and answers each. A call whose
// fn fails is taken out and told to run alone; the rest are retried
// without it. A group of one has run alone already: its fn's error is
// its answer.
func commit[T any](update Update[T], calls []*call[T]) {
	// The database itself may panic (bbolt on a damaged page, in
	// Commit): answer the calls still waiting before the panic goes on
	// to the leader's caller.
	defer func() {
		if p := recover(); p != nil {
			for _, c := range calls {
				c.done <- fmt.Errorf("commit: %v", p)
			}
			panic(p)
		}
	}()
	for len(calls) > 0 {
		failed, panicked := -1, false
		err := update(func(tx T) error {
			for i, c := range calls {
				if err := safeCall(c.fn, tx); err != nil {
					failed = i
					_, panicked = err.(fnPanic)
					return err
				}
			}
			return nil
		})
		var blamed *Blamed
		if failed < 0 && errors.As(err, &blamed) && blamed.Call >= 0 && blamed.Call < len(calls) {
			failed = blamed.Call
		}
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

// Blamed is an update's error that blames one call of the group. An
// update that runs the group's fns first and their work only after (a
// pipeline that sends every statement at once, then reads the answers)
// learns which call failed only then: Call is that call's place in the
// order its fns ran. The call is run alone and the rest are retried
// without it, as when its fn fails.
type Blamed struct {
	Call int
	Err  error
}

func (e *Blamed) Error() string { return e.Err.Error() }
func (e *Blamed) Unwrap() error { return e.Err }

// fnPanic is a command's panic inside a group commit, as an error.
type fnPanic struct{ p any }

func (e fnPanic) Error() string { return fmt.Sprintf("panic in a group commit: %v", e.p) }

// safeCall runs fn, turning a panic into an fnPanic so that one
// command's bug fails its own commit, not the group. The command then
// runs alone, where its panic is its caller's.
func safeCall[T any](fn func(T) error, tx T) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fnPanic{p}
		}
	}()
	return fn(tx)
}
