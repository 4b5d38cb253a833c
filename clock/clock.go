// Package clock provides a clock that only moves when told to. Kept takes
// its time from a func() time.Time everywhere; tests and `kept sim` hand it
// a Manual clock's Now so that "three days later" takes no time at all.
package clock

import (
	"sync"
	"time"
)

// Manual is a clock that is moved by hand. Its zero value is not useful;
// use NewManual.
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// NewManual returns a clock stopped at t.
func NewManual(t time.Time) *Manual { return &Manual{t: t} }

// Now returns the clock's time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d and returns the new time.
func (c *Manual) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// Set moves the clock to t.
func (c *Manual) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Offset is a clock that runs with real time but can be pushed ahead, for
// `kept sim`, where reminders should also fire while the user just waits.
type Offset struct {
	mu  sync.Mutex
	off time.Duration
	now func() time.Time
}

// NewOffset returns a clock that starts at real time.
func NewOffset() *Offset { return &Offset{now: time.Now} }

// Now returns real time plus the accumulated advance.
func (c *Offset) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now().Add(c.off)
}

// Advance pushes the clock forward by d.
func (c *Offset) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
	return c.Now()
}
