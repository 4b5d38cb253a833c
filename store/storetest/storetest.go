// Package storetest is a black-box conformance suite for implementations
// of the store contract, in the style of testing/fstest.TestFS: a backend
// is done when Run passes.
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, storetest.Harness{New: func(t storetest.T, now func() time.Time) storetest.Backend { ... }})
//	}
//
// Check runs the same cases without a *testing.T and returns what failed,
// so that a test can prove the suite catches a broken backend.
package storetest

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keptbot/kept/store"
)

// Backend is what the suite tests: the contract, its admin side, customer
// channels and the shared Retry-After.
type Backend interface {
	store.Store
	store.Admin
	store.Channels
	store.Pauses
}

// T is the part of testing.T the cases use; Check provides its own.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
	TempDir() string
}

// Harness makes fresh backends for the suite.
type Harness struct {
	// New returns an empty backend whose clock is now. The suite closes it.
	New func(t T, now func() time.Time) Backend
	// Corrupt makes the stored promise team/id undecodable, as a damaged
	// or hand-edited record would be. Nil skips the poison-record case.
	Corrupt func(t T, b Backend, team string, id int64)
}

type testCase struct {
	name string
	run  func(t T, h Harness)
}

var cases = []testCase{
	{"PromisesAndDueIndex", testPromisesAndDueIndex},
	{"TextKeptAsTyped", testTextKeptAsTyped},
	{"SnoozeMoveKeepSeries", testTransitions},
	{"Escalations", testEscalations},
	{"ConcurrentClaims", testConcurrentClaims},
	{"ConcurrentAdds", testConcurrentAdds},
	{"OutboxStates", testOutboxStates},
	{"StaleNudges", testStaleNudges},
	{"CustomersAndCheckins", testCustomersAndCheckins},
	{"IdempotentOps", testIdempotentOps},
	{"UnitOfWork", testUnitOfWork},
	{"NudgeInUnitOfWork", testNudgeInUnit},
	{"ImportExport", testImportExport},
	{"PoisonRecord", testPoisonRecord},
	{"Digest", testDigest},
	{"ChannelLinks", testChannelLinks},
	{"HeardAndWaits", testHeardAndWaits},
	{"WaitSentCrossesCloseWait", testWaitSentCrossesCloseWait},
	{"OpenWaitRace", testOpenWaitRace},
	{"SuggestionPrefs", testSuggestionPrefs},
	{"SharedPause", testSharedPause},
	{"TouchKinds", testTouchKinds},
	{"NudgeInUnitOfWork", testNudgeInUnitOfWork},
	{"CustomerDates", testCustomerDates},
	{"DateClaims", testDateClaims},
	{"DateClaimLimit", testDateClaimLimit},
}

// Run runs every case as a subtest of t.
func Run(t *testing.T, h Harness) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, h) })
	}
}

// Check runs every case and returns an error naming each that failed, or
// nil if the backend conforms.
func Check(h Harness) error {
	var errs []error
	for _, c := range cases {
		r := &recorder{}
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer r.cleanup()
			c.run(r, h)
		}()
		<-done
		if len(r.failures) > 0 {
			errs = append(errs, fmt.Errorf("%s: %s", c.name, strings.Join(r.failures, "; ")))
		}
	}
	return errors.Join(errs...)
}

// recorder is a T that remembers failures; Fatalf ends the case's goroutine.
type recorder struct {
	mu       sync.Mutex
	failures []string
	cleanups []func()
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func (r *recorder) TempDir() string {
	dir, err := os.MkdirTemp("", "storetest")
	if err != nil {
		r.Fatalf("temp dir: %v", err)
	}
	r.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func (r *recorder) cleanup() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// clock is the backend's now, held at t0: the cases pass their own
// instants to the calls that take one.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// t0 is a Monday morning.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func open(t T, h Harness) (Backend, *clock) {
	t.Helper()
	c := &clock{t: t0}
	b := h.New(t, c.now)
	t.Cleanup(func() { b.Close() })
	return b, c
}

// result carries a call's value and error to must, which fails the case
// on an error: r(b.Promise(team, id)).must(t).
type result[V any] struct {
	v   V
	err error
}

func r[V any](v V, err error) result[V] { return result[V]{v, err} }

func (x result[V]) must(t T) V {
	t.Helper()
	if x.err != nil {
		t.Fatalf("unexpected error: %v", x.err)
	}
	return x.v
}
