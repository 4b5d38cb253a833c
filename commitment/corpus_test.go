package commitment

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// Targets on testdata/corpus.txt: a wrong suggestion is noise in someone's
// day, a missed one only leaves things as they were without Kept.
const (
	minPrecision = 0.90
	minRecall    = 0.75
)

// labelled is one message of the corpus.
type labelled struct {
	line     int
	kind     string // "yes" or why not
	text     string
	task     string
	due      string // "2006-01-02 15:04" in the corpus zone
	customer bool   // written by the customer: Kept never reads it for promises
}

func readCorpus(t *testing.T, name string) []labelled {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, " || ")
		m := labelled{line: n, kind: f[0], text: strings.ReplaceAll(f[1], `\n`, "\n")}
		switch {
		case m.kind == "yes" && len(f) == 4:
			m.task, m.due = f[2], f[3]
		case m.kind != "yes" && len(f) == 2:
		default:
			t.Fatalf("%s:%d: want 4 fields for yes, 2 otherwise: %q", name, n, line)
		}
		m.customer = m.kind == "customer"
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// corpusNow is the moment every corpus message is read at: Monday
// 23 November 2026, 10:00 in New York.
func corpusNow(t testing.TB) (time.Time, *time.Location) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, 11, 23, 10, 0, 0, 0, loc), loc
}

func sameTask(a, b string) bool {
	f := func(s string) string {
		return strings.Join(strings.Fields(strings.ToLower(strings.ReplaceAll(s, ",", ""))), " ")
	}
	return f(a) == f(b)
}

// TestCorpus measures the detector on the labelled corpus. An offer counts
// as right only with the expected task and due time: one with the wrong
// time is a wrong suggestion (a false positive) and a missed promise (a
// false negative) at once.
func TestCorpus(t *testing.T) {
	corpus := readCorpus(t, "testdata/corpus.txt")
	if len(corpus) < 300 || negatives(corpus)*2 < len(corpus) {
		t.Errorf("corpus has %d messages, %d negative: want at least 300, half negative", len(corpus), negatives(corpus))
	}
	measure(t, "corpus.txt", corpus)
}

// TestHeldout measures the messages written after the detector. The same
// targets hold; a failure here means the rules fit corpus.txt, not English.
func TestHeldout(t *testing.T) {
	measure(t, "heldout.txt", readCorpus(t, "testdata/heldout.txt"))
}

func negatives(c []labelled) int {
	n := 0
	for _, m := range c {
		if m.kind != "yes" {
			n++
		}
	}
	return n
}

func measure(t *testing.T, name string, corpus []labelled) {
	now, loc := corpusNow(t)
	var pos, neg int
	var tp, fp, fn int
	var byKind = map[string]int{}
	for _, m := range corpus {
		byKind[m.kind]++
		var r Result
		if !m.customer { // Kept reads only its own workspace's messages
			r = Detect(m.text, now, loc)
		}
		want := m.kind == "yes"
		if want {
			pos++
		} else {
			neg++
		}
		right := want && r.Found() && r.Due.Format("2006-01-02 15:04") == m.due && sameTask(r.Task, m.task)
		switch {
		case right:
			tp++
		case r.Found() && want:
			fp++
			fn++
			t.Logf("%s:%d: wrong offer for %q:\n\tgot  %q due %s\n\twant %q due %s", name, m.line, m.text, r.Task, r.Due.Format("2006-01-02 15:04"), m.task, m.due)
		case r.Found():
			fp++
			t.Logf("%s:%d: false offer (%s) for %q: %q due %s", name, m.line, m.kind, m.text, r.Task, r.Due.Format("2006-01-02 15:04"))
		case want:
			fn++
			t.Logf("%s:%d: missed %q (%s)", name, m.line, m.text, r.Reason)
		}
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(max(tp+fn, 1))
	t.Logf("%s: %d messages, %d commitments, %d not (%v)", name, len(corpus), pos, neg, kinds(byKind))
	t.Logf("precision %.3f (%d of %d offers right), recall %.3f (%d of %d commitments offered right)",
		precision, tp, tp+fp, recall, tp, pos)
	if precision < minPrecision {
		t.Errorf("precision %.3f, want at least %.2f", precision, minPrecision)
	}
	if recall < minRecall {
		t.Errorf("recall %.3f, want at least %.2f", recall, minRecall)
	}
}

func kinds(m map[string]int) string {
	var b strings.Builder
	for _, k := range []string{"question", "hypothetical", "past", "notime", "customer", "request", "other", "chatter"} {
		fmt.Fprintf(&b, "%s %d, ", k, m[k])
	}
	return strings.TrimSuffix(b.String(), ", ")
}
