package cronspec

import (
	"strings"
	"testing"
	"time"
)

var newYork = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}()

func TestParse(t *testing.T) {
	tests := []struct {
		spec     string
		wantFull string // "" when it must fail
		wantErr  string
	}{
		{"0 9 * * MON", "CRON_TZ=America/New_York 0 9 * * MON", ""},
		{"  CRON_TZ=Europe/Paris 30 8 * * 1-5 ", "CRON_TZ=Europe/Paris 30 8 * * 1-5", ""},
		{"TZ=Asia/Kolkata 0 9 * * MON", "CRON_TZ=Asia/Kolkata 0 9 * * MON", ""},
		{"@weekly", "CRON_TZ=America/New_York @weekly", ""},
		{"TZ=0", "", "no schedule"},                          // panics in robfig's parser
		{"CRON_TZ=", "", "no schedule"},                      // likewise
		{"CRON_TZ= 0 9 * * MON", "", "not a time zone"},      // empty zone
		{"CRON_TZ=Local 0 9 * * MON", "", "not a time zone"}, // the machine's, not the workspace's
		{"CRON_TZ=Mars/Olympus 0 9 * * MON", "", "not a time zone"},
		{"0 9 * *", "", "not a cron schedule"},
		{"61 9 * * MON", "", "not a cron schedule"},
		{"0 9 * * FUNDAY", "", "not a cron schedule"},
		{"@fortnightly", "", "not a cron schedule"},
		{"0 9 30 2 *", "", "never happens"},
		{"", "", "empty"},
	}
	for _, tt := range tests {
		sched, full, err := Parse(tt.spec, newYork)
		if tt.wantFull == "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q) error = %v, want one saying %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil || full != tt.wantFull || sched == nil {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.spec, full, err, tt.wantFull)
		}
	}
}
