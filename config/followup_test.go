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

func TestRenewalNotice(t *testing.T) {
	c, err := Load(env(goodTokens), true)
	if err != nil || c.RenewalNotice != 30*24*time.Hour {
		t.Errorf("default: %v, %v; want 30d", c.RenewalNotice, err)
	}
	c, err = Load(env(with(map[string]string{"KEPT_RENEWAL_NOTICE": "6w"})), true)
	if err != nil || c.RenewalNotice != 42*24*time.Hour {
		t.Errorf("6w: %v, %v", c.RenewalNotice, err)
	}
	for _, bad := range []string{"soon", "36h", "0d", "never"} {
		_, err := Load(env(with(map[string]string{"KEPT_RENEWAL_NOTICE": bad})), true)
		if err == nil || !strings.HasPrefix(err.Error(), "KEPT_RENEWAL_NOTICE ") {
			t.Errorf("KEPT_RENEWAL_NOTICE=%s: %v; want a refusal naming the setting", bad, err)
		}
	}
}
