package cadence

import (
	"errors"
	"testing"
	"time"
)

// The full table of phrases is bot's TestParseCadence, through /customer;
// this holds what import relies on: the short forms and the error type.
func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration // -1: refused
	}{
		{"14d", 14 * day},
		{"2w", 14 * day},
		{"every 3 months", 90 * day},
		{"Every 2 Weeks", 14 * day},
		{"never", 0},
		{"168h", -1}, // a Go duration is not a cadence people type
		{"every 12h", -1},
		{"every 3 years", -1},
		{"", -1},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		var refused Error
		switch {
		case tt.want < 0 && !errors.As(err, &refused):
			t.Errorf("Parse(%q) = %v, %v; want an Error", tt.in, got, err)
		case tt.want >= 0 && (err != nil || got != tt.want):
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestTextParsesBack(t *testing.T) {
	for _, d := range []time.Duration{day, 14 * day, 30 * day, 90 * day, 365 * day, 730 * day, 45 * day} {
		if got, err := Parse(Text(d)); err != nil || got != d {
			t.Errorf("Parse(Text(%v)) = %v, %v", d, got, err)
		}
	}
}
