//go:build crash || failover

package main

// Helpers of the tests that run the real binary (crash_test.go,
// failover_test.go).

import (
	"bytes"
	"sync"
)

// stringAfter returns s after the first sep, or "".
func stringAfter(s, sep string) string {
	if i := bytes.Index([]byte(s), []byte(sep)); i >= 0 {
		return s[i+len(sep):]
	}
	return ""
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
