package inbound

import (
	"runtime"
	"sync"
	"testing"
)

// TestMessageLocks: a rewrite of one message waits only for that
// message's, and a lock nobody holds or waits for is not kept.
func TestMessageLocks(t *testing.T) {
	var l messageLocks
	unlock := l.lock("D1|1.1")
	other := make(chan struct{})
	go func() {
		l.lock("D1|2.2")() // another message: does not wait for the first
		close(other)
	}()
	<-other
	// The same message: each holder alone in turn.
	var mu sync.Mutex
	inside, most := 0, 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			defer l.lock("D1|1.1")()
			mu.Lock()
			inside++
			most = max(most, inside)
			mu.Unlock()
			runtime.Gosched() // let another in, if the lock would
			mu.Lock()
			inside--
			mu.Unlock()
		})
	}
	unlock()
	wg.Wait()
	if most != 1 {
		t.Errorf("%d held the same message's lock at once, want 1", most)
	}
	if n := len(l.held); n != 0 {
		t.Errorf("%d locks kept after all were released", n)
	}
}
