package inbound

import "testing"

func TestMetadataSigned(t *testing.T) {
	b := &Bot{metaKey: metaKey("xoxb-test")}
	meta := b.sealMeta("U0BOB", modalOrigin{Channel: "D1", TS: "1.2", Promise: 7})
	var got modalOrigin
	if err := b.openMeta("U0BOB", meta, &got); err != nil || got.Promise != 7 || got.TS != "1.2" {
		t.Fatalf("openMeta of its own seal = %+v, %v", got, err)
	}
	other := &Bot{metaKey: metaKey("xoxb-other")}
	for name, tc := range map[string]struct {
		b          *Bot
		user, meta string
	}{
		"another submitter": {b, "U0CID", meta},
		"another key":       {other, "U0BOB", meta},
		"unsigned":          {b, "U0BOB", `{"c":"D1","ts":"1.2","n":7}`},
		"changed":           {b, "U0BOB", `{"c":"D9","ts":"1.2","n":7}` + meta[len(`{"c":"D1","ts":"1.2","n":7}`):]},
		"empty":             {b, "U0BOB", ""},
	} {
		if err := tc.b.openMeta(tc.user, tc.meta, &got); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The same secret gives the same key: a form survives a restart.
	again := &Bot{metaKey: metaKey("xoxb-test")}
	if err := again.openMeta("U0BOB", meta, &got); err != nil {
		t.Errorf("after a restart: %v", err)
	}
}
