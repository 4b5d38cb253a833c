package bench

import (
	"os"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		line string
		want procStat
		ok   bool
	}{
		{"1234 (kept) S 1 1234 1234 0 -1 4194560 100 0 0 0 7 3 2 1 20 0 8 0 100 0 0", procStat{1234, 1, 7, 3, 2, 1}, true},
		// A name with spaces and a ')' in it: fields count from the last ')'.
		{"77 (a b) c)) R 5 77 77 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 1 0 0", procStat{77, 5, 10, 20, 0, 0}, true},
		{"garbage", procStat{}, false},
		{"9 (short) S 1 2", procStat{}, false},
		{"9 (bad) S 1 2 3 4 5 6 7 8 9 10 x 1 2 3 4", procStat{}, false},
	}
	for _, tt := range tests {
		if got, ok := parseStat(tt.line); got != tt.want || ok != tt.ok {
			t.Errorf("parseStat(%q) = %+v %v, want %+v %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestOthersCores(t *testing.T) {
	a := cpuSample{busy: 1000, total: 4000, ours: 500, ok: true}
	// 200 ticks a CPU on 2 cores: 400 total; 300 busy, 100 of them ours.
	b := cpuSample{busy: 1300, total: 4400, ours: 600, ok: true}
	if got, ok := othersCores(a, b, 2); !ok || got != 1 {
		t.Errorf("othersCores = %v %v, want 1 core", got, ok)
	}
	// Our tree reaping children can count more than the machine's delta
	// shows; never below zero.
	b.ours = 2000
	if got, _ := othersCores(a, b, 2); got != 0 {
		t.Errorf("othersCores = %v, want 0", got)
	}
	if _, ok := othersCores(a, cpuSample{}, 2); ok {
		t.Error("othersCores without a reading says ok")
	}
}

// TestTreeTicksCountsSelf: on Linux, this process's own tree includes it.
func TestTreeTicksCountsSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	s := readCPU()
	if !s.ok || s.total == 0 || s.busy > s.total {
		t.Fatalf("readCPU = %+v", s)
	}
	// Work on the CPU until this process's own ticks show it (a tick is
	// 10 ms); the deadline only catches a tree that never counts it.
	deadline := time.Now().Add(10 * time.Second)
	for readCPU().ours <= s.ours {
		for i := range 1_000_000 {
			spin += i
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s of work and this process's ticks did not grow from %d", s.ours)
		}
	}
}

// spin is where TestTreeTicksCountsSelf's work goes, so that it is done.
var spin int
