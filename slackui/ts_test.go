package slackui

import (
	"testing"
	"time"
)

func TestTSTime(t *testing.T) {
	tests := []struct {
		ts   string
		want time.Time
		ok   bool
	}{
		{"1700000000.000100", time.Unix(1700000000, 100_000), true},
		{"1700000000.5", time.Unix(1700000000, 500_000_000), true},
		{"1700000000", time.Unix(1700000000, 0), true},
		{"", time.Time{}, false},
		{"0.000001", time.Time{}, false},
		{"soon.000001", time.Time{}, false},
	}
	for _, tt := range tests {
		if got, ok := TSTime(tt.ts); !got.Equal(tt.want) || ok != tt.ok {
			t.Errorf("TSTime(%q) = %v, %v; want %v, %v", tt.ts, got, ok, tt.want, tt.ok)
		}
	}
}
