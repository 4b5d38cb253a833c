package commitment

import "strings"

// pronouns read the customer, addressed as "you", in the third person: the
// promise is stored for them and read later by the writer.
var pronouns = map[string]string{
	"you": "them", "your": "their", "yours": "theirs", "yourself": "themselves", "yourselves": "themselves",
	"u": "them", "ur": "their", "y'all": "them", "ya": "them",
}

// trailers after a time phrase only insist on it: "by Friday at the latest".
var trailers = [][]string{
	{"at", "the", "very", "latest"}, {"at", "the", "latest"}, {"latest"}, {"or", "so"},
	{"if", "not", "sooner"}, {"or", "sooner"}, {"at", "latest"},
}

// tailWords are dropped from the end of a task: "send it over then".
var tailWords = []string{"then", "too", "asap", "and", "or", "as", "well", "also"}

// buildTask writes the promise from the clause: without the time phrase
// and the words that tie it in, "you" read as "them", and for "you'll
// have it" the writer's side of it, "send it".
func buildTask(clause []token, ph phrase, receive bool) string {
	keep := make([]bool, len(clause))
	for i := range keep {
		keep[i] = true
	}
	if ph.start >= 0 {
		for i := ph.start; i < ph.end; i++ {
			keep[i] = false
		}
		// the glue before the phrase: "by", "no later than", "first thing", "in the"
		for i := ph.start - 1; i >= 0 && oneOf(clause[i].norm, glueBefore...) && !clause[i].pause; i-- {
			if clause[i].norm == "for" && !keep[i+1] && i+1 == ph.start {
				keep[i] = false
				continue
			}
			if clause[i].norm == "for" || clause[i].norm == "from" {
				break
			}
			keep[i] = false
		}
		for _, tr := range trailers {
			if has(clause, ph.end, tr...) {
				for i := ph.end; i < ph.end+len(tr); i++ {
					keep[i] = false
				}
				break
			}
		}
	}
	var out []string
	for i, t := range clause {
		if !keep[i] {
			continue
		}
		w := t.word
		if p, ok := pronouns[t.norm]; ok {
			w = p + strings.TrimPrefix(w, strings.TrimRight(w, ",")) // keep a trailing comma
		}
		if receive && len(out) == 0 && oneOf(t.norm, receives...) {
			w = "send"
		}
		if receive && has(clause, i, "from", "me") || receive && has(clause, i, "from", "us") {
			keep[i+1] = false
			continue
		}
		out = append(out, w)
	}
	for len(out) > 0 {
		last := strings.ToLower(strings.TrimRight(out[len(out)-1], ",-–—"))
		if last == "" || oneOf(last, tailWords...) || oneOf(last, glueBefore...) {
			out = out[:len(out)-1]
			continue
		}
		out[len(out)-1] = strings.TrimRight(out[len(out)-1], ",-–—")
		break
	}
	return strings.Join(out, " ")
}
