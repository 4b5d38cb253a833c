// Package commitment reads a message someone on our side wrote in a
// customer channel and says whether it is a promise with a time ("I'll get
// back to you tomorrow", "you'll have it by EOD", "let me check and call
// you Monday"), and if so what Kept would offer to track: the task in the
// writer's words and the due time in the writer's zone.
//
// It is a small grammar of English, not a model: a first-person future
// ("I'll", "we will", "I'm going to", "let me", a bare "will send…" or
// "you'll have…") followed by an action, with a time phrase that duetime
// can read somewhere in the same sentence. It declines, and says why:
// questions, hypotheticals and hedges ("if", "unless", "probably",
// "might"), reported or past promises ("I said I'd…", "I was going to…"),
// promises with no time ("I'll look into it"), and sentences that promise
// nothing for the writer ("I'll be out tomorrow", "see you Friday",
// "Dave will call you"). Who wrote the message is the caller's business:
// Kept asks only about messages by members of its own workspace, so a
// customer's "we'll send the PO by Friday" is never read here.
//
// A wrong suggestion is noise in someone's day, so when in doubt it says
// no. Its precision and recall on testdata/corpus.txt are measured by
// TestCorpus and reported in the README.
package commitment

import (
	"errors"
	"time"

	"github.com/keptbot/kept/duetime"
)

// Reason says why a message is, or is not, a commitment Kept would offer.
type Reason int

const (
	// NoPromise: nothing in the message commits the writer to anything
	// (a request, someone else's promise, an out-of-office, a greeting).
	// It is the zero Reason, so a zero Result offers nothing.
	NoPromise Reason = iota
	// Commitment: a promise by the writer, with a time.
	Commitment
	// Question: the promise is asked, not made ("Should I call you tomorrow?").
	Question
	// Hypothetical: the promise depends on something or is hedged
	// ("if you need it, I'll…", "I'll probably…").
	Hypothetical
	// Reported: a promise told about, usually in the past ("I said I'd…",
	// "I was going to…"), or by someone else ("Dave says you'll have it…").
	Reported
	// NoTime: a promise without a time Kept can read ("I'll look into it").
	NoTime
	// PastDue: a promise whose time has already gone by ("today" at 18:00).
	PastDue
)

var reasonNames = [...]string{
	NoPromise:    "no promise",
	Commitment:   "commitment",
	Question:     "a question",
	Hypothetical: "hypothetical or hedged",
	Reported:     "reported or past",
	NoTime:       "no time",
	PastDue:      "time already past",
}

func (r Reason) String() string {
	if r < 0 || int(r) >= len(reasonNames) {
		return "unknown"
	}
	return reasonNames[r]
}

// Result is what Detect found.
type Result struct {
	Reason Reason
	// Task is what was promised, in the writer's words, with the time
	// phrase taken out and "you"/"your" read as the customer
	// ("them"/"their"). Set when Reason is Commitment.
	Task string
	// Due is when, in the writer's zone. Set when Reason is Commitment.
	Due time.Time
	// Phrase is the time phrase as Kept read it ("tomorrow", "friday 5pm").
	Phrase string
}

// Found reports whether the message is a commitment Kept would offer.
func (r Result) Found() bool { return r.Reason == Commitment }

// maxBytes bounds the work on one message: Slack messages may be 40,000
// characters, promises are a sentence. Text past it is not read.
const maxBytes = 4000

// Detect reads text as written by someone on our side at now, in loc (the
// writer's zone; nil means UTC). The first sentence that commits the writer
// to something with a time wins; otherwise the reason is that of the
// sentence that came closest.
func Detect(text string, now time.Time, loc *time.Location) Result {
	if loc == nil {
		loc = time.UTC
	}
	if len(text) > maxBytes {
		text = text[:maxBytes]
	}
	best := Result{Reason: NoPromise}
	for _, s := range sentences(clean(text)) {
		r := readSentence(s, now, loc)
		if r.Reason == Commitment {
			return r
		}
		if rank(r.Reason) > rank(best.Reason) {
			best = r
		}
	}
	return best
}

// rank orders the reasons for a message with several sentences: the one
// that says most about why Kept stayed quiet is reported.
func rank(r Reason) int {
	switch r {
	case NoPromise:
		return 0
	case NoTime:
		return 1
	}
	return 2
}

// readSentence reads one sentence.
func readSentence(s sentence, now time.Time, loc *time.Location) Result {
	toks := s.toks
	if s.question {
		if i := tagStart(toks); i > 0 {
			toks, s.question = toks[:i], false // "I'll send it tomorrow, ok?"
		}
	}
	tr, ok := findTrigger(toks)
	if !ok {
		if s.question || askedBefore(toks) {
			return Result{Reason: Question}
		}
		return Result{Reason: tr.reason}
	}
	if s.question || askedBefore(toks[:tr.start]) {
		return Result{Reason: Question}
	}
	if reported(toks[:tr.start]) {
		return Result{Reason: Reported}
	}
	if hedged(toks[:tr.start]) {
		return Result{Reason: Hypothetical}
	}
	clause, r := actionClause(toks, tr)
	if r != Commitment {
		return Result{Reason: r}
	}
	if conditional(clause) {
		return Result{Reason: Hypothetical}
	}
	ph, err := findTime(clause, now, loc)
	if errors.Is(err, duetime.ErrNoTime) {
		// "Tomorrow I'll send you the quote": the time may come first.
		ph, err = findTime(toks[:tr.start], now, loc)
		if err == nil || errors.Is(err, duetime.ErrPast) {
			ph.start, ph.end = -1, -1 // not inside the clause: nothing to cut
		}
	}
	switch {
	case errors.Is(err, duetime.ErrPast):
		return Result{Reason: PastDue}
	case err != nil:
		return Result{Reason: NoTime}
	}
	task := buildTask(clause, ph, tr.receive)
	if task == "" {
		return Result{Reason: NoTime}
	}
	return Result{Reason: Commitment, Task: task, Due: ph.due, Phrase: ph.text}
}
