package config

import (
	"strings"
	"testing"
)

func TestDigestSettings(t *testing.T) {
	tests := []struct {
		env         map[string]string
		wantChannel string
		wantCron    string
		wantErr     string // "" when Load must succeed
	}{
		{env: nil, wantCron: "CRON_TZ=UTC 0 9 * * MON"},
		{env: map[string]string{"KEPT_TIMEZONE": "Europe/Paris"}, wantCron: "CRON_TZ=Europe/Paris 0 9 * * MON"},
		{env: map[string]string{"KEPT_DIGEST_CRON": "CRON_TZ=Asia/Tokyo 0 17 * * FRI", "KEPT_DIGEST_CHANNEL": "#sales-leads"}, wantChannel: "#sales-leads", wantCron: "CRON_TZ=Asia/Tokyo 0 17 * * FRI"},
		{env: map[string]string{"KEPT_DIGEST_CHANNEL": "C012AB3CD"}, wantChannel: "C012AB3CD", wantCron: "CRON_TZ=UTC 0 9 * * MON"},
		{env: map[string]string{"KEPT_DIGEST_CHANNEL": "sales"}, wantErr: "KEPT_DIGEST_CHANNEL"},
		{env: map[string]string{"KEPT_DIGEST_CHANNEL": "#Sales Team"}, wantErr: "KEPT_DIGEST_CHANNEL"},
		{env: map[string]string{"KEPT_DIGEST_CRON": "TZ=0"}, wantErr: "KEPT_DIGEST_CRON"},
		{env: map[string]string{"KEPT_DIGEST_CRON": "every monday"}, wantErr: "KEPT_DIGEST_CRON"},
		{env: map[string]string{"KEPT_DIGEST_CRON": "CRON_TZ=Moon/Base 0 9 * * MON"}, wantErr: "KEPT_DIGEST_CRON"},
	}
	for _, tt := range tests {
		c, err := Load(func(k string) string { return tt.env[k] }, false)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want one about %s", tt.env, err, tt.wantErr)
			}
			continue
		}
		if err != nil || c.DigestChannel != tt.wantChannel || c.DigestCron != tt.wantCron {
			t.Errorf("%v: channel %q cron %q err %v; want %q, %q", tt.env, c.DigestChannel, c.DigestCron, err, tt.wantChannel, tt.wantCron)
		}
	}
}
