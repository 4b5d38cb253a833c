package duetime

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// leftoverWords are words of a time phrase, listed here apart from the
// grammar's own tables: none of them may be left at the end of a promise
// that was read.
var leftoverWords = strings.Fields(`today tonight tomorrow tmrw yesterday next last eod eow eom cob
	morning afternoon evening noon midnight every daily weekly monthly yearly weekday weekdays
	monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri
	january february april june july august september october november december jan feb apr jun jul aug sep oct nov dec
	3pm 9am 15:30 12am 2h 90m 1h30m 12/25 3/4 2026-12-03 ago`)

func isLeftover(s string) bool {
	s = strings.ToLower(strings.Trim(s, ".,;:!?"))
	for _, w := range leftoverWords {
		if s == w {
			return true
		}
	}
	return false
}

// readablePhrases are phrases the grammar reads whole.
var readablePhrases = []string{
	"tomorrow eod", "friday eod", "monday morning", "thursday afternoon", "in 1.5 hours", "in 1h30m",
	"in 1 hour 30 minutes", "2h", "90m", "on the 15th", "the 3rd at 2pm", "in 3 business days",
	"friday 5pm EST", "3pm CET", "10:00 Europe/Paris", "12/25", "25/12", "every monday and thursday 10am",
	"every mon, wed, fri", "daily", "weekly", "every other wednesday", "every year on mar 1",
	"every weekday at 8:50am", "every 2 weeks monday", "on every 10th", "at 4:30pm", "tomorrow",
	"next week", "eod", "noon", "in 2 weeks", "dec 3 2pm", "2026-12-03 14:00", "tonight", "friday next week",
}

// TestNeverHalfRead is the property of issue 12: put any time words in
// front of a phrase Kept reads, and Kept either reads the whole (nothing
// of the time is left in the promise) or refuses and says why. It never
// reads the end and leaves the rest in the text, as "tomorrow eod" once
// became "eod" with "tomorrow" in the promise.
func TestNeverHalfRead(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 2026))
	ny := zone(t, "America/New_York")
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, ny)
	locs := []*time.Location{ny, zone(t, "Asia/Kathmandu"), zone(t, "Pacific/Kiritimati"), zone(t, "Europe/Paris")}
	for i := range 20000 {
		loc := locs[i%len(locs)]
		now := base.Add(time.Duration(rng.IntN(400*24)) * time.Hour)
		var junk []string
		for range 1 + rng.IntN(3) {
			junk = append(junk, leftoverWords[rng.IntN(len(leftoverWords))])
		}
		phrase := readablePhrases[rng.IntN(len(readablePhrases))]
		text := "send the quote " + strings.Join(junk, " ") + " " + phrase
		a, err := Read(text, now, loc, Options{})
		if err != nil {
			if Reason(err) == "" {
				t.Fatalf("Read(%q) refused without a reason: %v", text, err)
			}
			continue
		}
		if fields := strings.Fields(a.What); isLeftover(fields[len(fields)-1]) {
			t.Fatalf("Read(%q) at %v left a time word in the promise: what %q, phrase %q", text, now, a.What, a.Phrase)
		}
		if a.Question == nil && !a.Due.After(now) {
			t.Fatalf("Read(%q) = %v, not after %v", text, a.Due, now)
		}
	}
}

// TestWholePhrase: a phrase Kept reads alone is read the same at the end
// of a promise, with the promise text left whole.
func TestWholePhrase(t *testing.T) {
	for _, name := range classZones {
		loc := zone(t, name)
		for _, now := range moments(t, loc) {
			for _, phrase := range readablePhrases {
				alone, err1 := ReadPhrase(phrase, now, loc, Options{})
				in, err2 := Read("Acme: send the quote by "+phrase, now, loc, Options{})
				if (err1 == nil) != (err2 == nil) || errors.Is(err1, ErrPast) != errors.Is(err2, ErrPast) {
					t.Errorf("%s %v %q: alone %v, in a promise %v", name, now, phrase, err1, err2)
					continue
				}
				if err1 != nil {
					continue
				}
				if in.What != "Acme: send the quote" || !in.Due.Equal(alone.Due) || in.Repeat != alone.Repeat || (in.Question == nil) != (alone.Question == nil) {
					t.Errorf("%s %v %q: alone %+v, in a promise %+v", name, now, phrase, alone, in)
				}
			}
		}
	}
}

func TestHalfReadExamples(t *testing.T) {
	now, ny := refNow(t)
	for _, text := range []string{
		"check every monday and thursday at 10 and 2pm",
		"call them every monday at 10am and thursday at 2pm",
		"send it tomorrow eod please friday", // "please" stops the run: read as friday
		"send it next tomorrow",
		"send it 3pm 4pm",
		"send it in 2 hours friday",
		"send it monday friday",
	} {
		a, err := Read(text, now, ny, Options{})
		if err == nil {
			if f := strings.Fields(a.What); isLeftover(f[len(f)-1]) {
				t.Errorf("Read(%q) = %+v: half read", text, a)
			}
			continue
		}
		if !errors.Is(err, ErrHalfRead) && !errors.Is(err, ErrNoTime) {
			t.Errorf("Read(%q) = %v; want a refusal", text, err)
		}
	}
}
