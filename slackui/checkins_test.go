package slackui

import (
	"strings"
	"testing"
	"time"
)

// TestCheckinsGolden: an owner's check-ins for the day, one of them late
// (a catch-up), and the same message after a click on one row.
func TestCheckinsGolden(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC) // Wed 10:00 in New York
	acme := sampleCustomer()
	globex := acme
	globex.Name, globex.LastTouch, globex.LastNote, globex.LastBy, globex.Notes = "Globex", time.Time{}, "", "", ""
	initech := acme
	initech.Name, initech.LastNote = "Initech", ""
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, newYork)
	rows := []CheckinRow{{Customer: acme, Nudge: 7, Late: monday}, {Customer: globex, Nudge: 8}, {Customer: initech, Nudge: 9}}
	fallback, blocks := Checkins(rows, newYork, now)
	golden(t, "checkins-catch-up", blocks)
	if fallback != "Time to check in with Acme &amp; &lt;Sons&gt; 🚀, Globex and Initech." {
		t.Errorf("fallback = %q", fallback)
	}
	raw := string(rawJSON(t, blocks, ""))
	for _, bad := range []string{"<!channel>", "<!here>", "<Sons>"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the check-ins carry %s unescaped", bad)
		}
	}
	if !strings.Contains(raw, "Late: due since Mon") || !strings.Contains(raw, "Catching up on check-ins") || !strings.Contains(raw, "1 of them") {
		t.Errorf("the late row is not marked: %s", raw)
	}

	// On time: no catch-up.
	_, onTime := Checkins(rows[1:], newYork, now)
	golden(t, "checkins", onTime)

	// A click on Globex's row: that row's buttons become the note, the
	// rest stays.
	done, ok := CheckinRowDone(blocks, 8, "💤 *Snoozed a week*")
	if !ok || len(done) != len(blocks) {
		t.Fatalf("CheckinRowDone = %d blocks, %v", len(done), ok)
	}
	golden(t, "checkins-row-done", done)
	for i := range blocks {
		if i != 4 && string(rawJSON(t, blocks[i], "")) != string(rawJSON(t, done[i], "")) {
			t.Errorf("block %d changed", i)
		}
	}
	if _, ok := CheckinRowDone(blocks, 99, "x"); ok {
		t.Error("a row that is not there was done")
	}
	// One on time is the single prompt.
	_, one := Checkins(rows[1:2], newYork, now)
	if HasCheckinRow(one, 8) || one[len(one)-1].ID() != CheckinBlock(8) {
		t.Errorf("one prompt on time is not the single prompt")
	}
}
