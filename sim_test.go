package main

import (
	"testing"
	"time"
)

func TestParseAdvance(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"2h": 2 * time.Hour, "30m": 30 * time.Minute, "3d": 72 * time.Hour,
		"2 days": 48 * time.Hour, "90 minutes": 90 * time.Minute, "1 week": 168 * time.Hour, "1 hour": time.Hour,
	} {
		if got, err := parseAdvance(in); err != nil || got != want {
			t.Errorf("parseAdvance(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "soon", "-1h", "0 days", "2 fortnights"} {
		if _, err := parseAdvance(in); err == nil {
			t.Errorf("parseAdvance(%q) accepted", in)
		}
	}
}
