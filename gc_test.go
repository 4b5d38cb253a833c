package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestTuneGC: the bot collects at GOGC=400 with a soft limit unless the
// environment chooses, which it then leaves alone.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	tuneGC(env(map[string]string{}))
	if p := debug.SetGCPercent(100); p != gcPercent {
		t.Errorf("GC percent %d, want %d", p, gcPercent)
	}
	if l := debug.SetMemoryLimit(-1); l != gcSoftLimit {
		t.Errorf("memory limit %d, want %d", l, gcSoftLimit)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	tuneGC(env(map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB"}))
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GOGC=100 set, GC percent %d", p)
	}
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set, memory limit changed to %d", l)
	}
}
