package config

import (
	"strings"
	"testing"
	"time"
)

func TestFollowupSettings(t *testing.T) {
	c, err := Load(env(goodTokens), true)
	if err != nil || c.ProblemFollowup != 7*24*time.Hour || c.SaleFollowup != 30*24*time.Hour {
		t.Errorf("defaults: %v, %v, %v; want 7d and 30d", c.ProblemFollowup, c.SaleFollowup, err)
	}
	c, err = Load(env(with(map[string]string{"KEPT_PROBLEM_FOLLOWUP": "2w", "KEPT_SALE_FOLLOWUP": "never"})), true)
	if err != nil || c.ProblemFollowup != 14*24*time.Hour || c.SaleFollowup >= 0 {
		t.Errorf("2w and never: %v, %v, %v", c.ProblemFollowup, c.SaleFollowup, err)
	}
	for _, bad := range []string{"soon", "7h", "800d"} {
		_, err := Load(env(with(map[string]string{"KEPT_SALE_FOLLOWUP": bad})), true)
		if err == nil || !strings.HasPrefix(err.Error(), "KEPT_SALE_FOLLOWUP ") || !strings.Contains(err.Error(), "never") {
			t.Errorf("KEPT_SALE_FOLLOWUP=%s: %v; want a refusal naming the setting and never", bad, err)
		}
	}
}
