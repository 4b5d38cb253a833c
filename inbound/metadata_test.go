package inbound

import (
	"testing"

	"github.com/keptbot/kept/slackui"
)

func TestMetadataSigned(t *testing.T) {
	b := &Bot{metaKey: metaKey("xoxb-test")}
	const form = slackui.EditCallback
	meta := b.sealMeta("U0BOB", form, modalOrigin{Channel: "D1", TS: "1.2", Promise: 7})
	var got modalOrigin
	if err := b.openMeta("U0BOB", form, meta, &got); err != nil || got.Promise != 7 || got.TS != "1.2" {
		t.Fatalf("openMeta of its own seal = %+v, %v", got, err)
	}
	other := &Bot{metaKey: metaKey("xoxb-other")}
	for name, tc := range map[string]struct {
		b                *Bot
		user, form, meta string
	}{
		"another submitter": {b, "U0CID", form, meta},
		"another form":      {b, "U0BOB", slackui.SnoozeCallback, meta},
		"no form":           {b, "U0BOB", "", meta},
		"another key":       {other, "U0BOB", form, meta},
		"unsigned":          {b, "U0BOB", form, `{"c":"D1","ts":"1.2","n":7}`},
		"changed":           {b, "U0BOB", form, `{"c":"D9","ts":"1.2","n":7}` + meta[len(`{"c":"D1","ts":"1.2","n":7}`):]},
		"empty":             {b, "U0BOB", form, ""},
	} {
		if err := tc.b.openMeta(tc.user, tc.form, tc.meta, &got); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The same secret gives the same key: a form survives a restart.
	again := &Bot{metaKey: metaKey("xoxb-test")}
	if err := again.openMeta("U0BOB", form, meta, &got); err != nil {
		t.Errorf("after a restart: %v", err)
	}
}
