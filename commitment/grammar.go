package commitment

// trigger is the words that make the writer, or their team, the subject of
// a future action: "I'll", "we will", "I'm going to", "let me", a bare
// "will" opening a sentence, or "you'll have/get/hear…" (delivery to the
// customer, which is the writer's promise too).
type trigger struct {
	start, end int  // the trigger's words: toks[start:end]
	receive    bool // "you'll have it…": the customer receives; the task is to send
	hear       bool // "you'll hear from me…": the task is to get back to them
	// reason, when no trigger was found, tells a near miss: "I was going
	// to…" (Reported), "I'd…", "I could…" (Hypothetical).
	reason Reason
}

var (
	we       = []string{"i", "we"}
	adverbs  = []string{"also", "just", "definitely", "certainly", "absolutely", "gladly", "happily", "quickly", "then", "still", "first", "now", "surely", "totally"}
	receives = []string{"have", "get", "receive", "see"}
)

// findTrigger returns the first trigger in toks.
func findTrigger(toks []token) (trigger, bool) {
	var miss Reason
	for i := range toks {
		n := toks[i].norm
		next := func(k int) string {
			if i+k < len(toks) {
				return toks[i+k].norm
			}
			return ""
		}
		switch {
		case n == "i'll" || n == "we'll":
			return trigger{start: i, end: i + 1}, true
		case oneOf(n, we...) && oneOf(next(1), "will", "shall"):
			return trigger{start: i, end: i + 2}, true
		case oneOf(n, we...) && oneOf(next(1), "am", "are") && next(2) == "going" && next(3) == "to":
			return trigger{start: i, end: i + 4}, true
		case oneOf(n, we...) && oneOf(next(1), "am", "are") && next(2) == "gonna":
			return trigger{start: i, end: i + 3}, true
		case oneOf(n, "i'm", "we're") && next(1) == "going" && next(2) == "to":
			return trigger{start: i, end: i + 3}, true
		case oneOf(n, "i'm", "we're") && next(1) == "gonna":
			return trigger{start: i, end: i + 2}, true
		case n == "i" && next(1) == "promise" && next(2) == "to":
			return trigger{start: i, end: i + 3}, true
		case oneOf(n, "let", "lemme") && (n == "lemme" || oneOf(next(1), "me", "us")):
			end := i + 2
			if n == "lemme" {
				end = i + 1
			}
			if end < len(toks) && toks[end].norm != "know" && toks[end].norm != "you" {
				return trigger{start: i, end: end}, true
			}
		case (n == "you'll" || n == "you" && next(1) == "will") && i+1 < len(toks):
			end := i + 1
			if n == "you" {
				end = i + 2
			}
			v, after := "", ""
			if end < len(toks) {
				v = toks[end].norm
			}
			if end+1 < len(toks) {
				after = toks[end+1].norm
			}
			switch {
			case oneOf(v, receives...) && after != "to":
				return trigger{start: i, end: end, receive: true}, true
			case v == "hear" && (after == "from" || after == "back"):
				return trigger{start: i, end: end, hear: true}, true
			}
		case n == "will" && (i == 0 || toks[i-1].pause) &&
			!oneOf(next(1), "you", "we", "i", "it", "they", "he", "she", "that", "this", "there", "your", "the", "be", ""):
			// "Will send it over tomorrow", "On it, will have an answer…".
			return trigger{start: i, end: i + 1}, true
		case oneOf(n, we...) && oneOf(next(1), "was", "were", "had") &&
			(next(2) == "going" || oneOf(next(2), "planned", "meant", "supposed", "hoping", "planning")):
			miss = Reported
		case oneOf(n, "i'd", "we'd") || oneOf(n, we...) && oneOf(next(1), "would", "could", "might", "may", "should"):
			if miss == NoPromise {
				miss = Hypothetical
			}
		}
	}
	return trigger{reason: miss}, false
}

// tagQuestions end a statement without asking it: "I'll send it
// tomorrow, ok?".
var tagQuestions = map[string]bool{
	"ok": true, "okay": true, "alright": true, "right": true, "cool": true, "good": true,
	"sound good": true, "sounds good": true, "does that work": true, "does that work for you": true,
	"works for you": true, "that work": true, "is that ok": true, "is that okay": true, "that ok": true,
}

// tagStart returns where the tag of a sentence that ends in "?" starts,
// when it is a statement with a tag (the words after its last pause are a
// tag question), else 0.
func tagStart(toks []token) int {
	last := -1
	for i := 0; i < len(toks)-1; i++ {
		if toks[i].pause {
			last = i
		}
	}
	if last < 0 {
		return 0
	}
	tail := toks[last+1:]
	if len(tail) > 5 {
		return 0
	}
	s := ""
	for i, t := range tail {
		if i > 0 {
			s += " "
		}
		s += t.norm
	}
	if !tagQuestions[s] {
		return 0
	}
	return last + 1
}

// askedBefore reports a question opener before the trigger, as in "do you
// want me to…" or "how about I…", which need no question mark in chat.
func askedBefore(pre []token) bool {
	if len(pre) == 0 {
		return false
	}
	switch pre[0].norm {
	case "shall", "should", "can", "could", "would", "will", "do", "did", "does", "is", "are", "want", "how", "when", "what", "any", "mind":
		return true
	}
	return false
}

// reportedWords tell about a promise rather than make it: "I said I'll",
// "Dave says you'll have it".
var reportedWords = []string{"said", "says", "say", "told", "tells", "mentioned", "mentions", "promised", "wrote", "confirmed", "claimed", "claims"}

// reported reports a telling verb before the trigger, unless it is the
// writer restating their own word ("as I said, I'll…", "as promised").
func reported(pre []token) bool {
	for i, t := range pre {
		if !oneOf(t.norm, reportedWords...) {
			continue
		}
		if i > 0 && oneOf(pre[i-1].norm, "as", "like") || i > 1 && oneOf(pre[i-2].norm, "as", "like") {
			continue
		}
		return true
	}
	return false
}

// hedgeWords before the trigger make what follows uncertain or conditional.
var hedgeWords = []string{"if", "unless", "assuming", "provided", "providing", "should", "maybe", "perhaps",
	"probably", "possibly", "ideally", "depending", "think", "guess", "believe", "suppose", "otherwise", "worst", "theory"}

func hedged(pre []token) bool {
	for i, t := range pre {
		if t.norm == "if" && politeIf(pre, i) {
			continue
		}
		if oneOf(t.norm, hedgeWords...) || t.norm == "case" && i > 0 && pre[i-1].norm == "in" {
			return true
		}
	}
	return false
}

// politeIf reports an "if" that asks nothing: "if that works", "if that's ok".
func politeIf(toks []token, i int) bool {
	rest := func(k int) string {
		if i+k < len(toks) {
			return toks[i+k].norm
		}
		return ""
	}
	switch rest(1) {
	case "that", "it":
		return oneOf(rest(2), "works", "helps", "suits")
	case "that's", "it's":
		return oneOf(rest(2), "ok", "okay", "alright", "fine", "helpful")
	}
	return false
}

// condWords inside the promise make it conditional or hedged.
var condWords = []string{"if", "unless", "assuming", "provided", "providing", "depending", "probably", "possibly", "maybe", "perhaps", "might"}

func conditional(clause []token) bool {
	for i, t := range clause {
		if t.norm == "if" && politeIf(clause, i) {
			continue
		}
		if oneOf(t.norm, condWords...) || has(clause, i, "in", "case") || has(clause, i, "as", "long", "as") {
			return true
		}
	}
	return false
}

// stateVerbs after a trigger promise nothing: "I'll need your signature",
// "I'll wait for legal", "I'll miss the call".
var stateVerbs = []string{"need", "want", "require", "expect", "wait", "miss", "hear", "love", "like", "never", "not", "hate", "probably", "have"}

// clauseEnds stop the promise: what follows is another thought.
var clauseEnds = []string{"but", "so", "because", "since", "although", "though", "while", "whereas", "which", "otherwise", "please", "thanks", "thank", "cheers", "sorry", "lmk", "hope"}

// ingVerbs are the -ing forms met after "I'll be", mapped to the verb.
var ingVerbs = map[string]string{
	"sending": "send", "calling": "call", "getting": "get", "sharing": "share", "emailing": "email",
	"shipping": "ship", "reaching": "reach", "following": "follow", "circling": "circle",
	"updating": "update", "preparing": "prepare", "writing": "write", "putting": "put",
	"making": "make", "setting": "set", "pinging": "ping", "looping": "loop", "reviewing": "review",
	"checking": "check", "finishing": "finish", "delivering": "deliver", "giving": "give",
}

// actionClause returns the words of the promised action after the trigger,
// up to where another thought starts, or why there is no action.
func actionClause(toks []token, tr trigger) ([]token, Reason) {
	i := tr.end
	if tr.hear {
		// "you'll hear back from me/us": the action is getting back to them.
		j := i + 1
		for j < len(toks) && oneOf(toks[j].norm, "back", "from", "me", "us") {
			j++
		}
		act := []token{{word: "get", norm: "get"}, {word: "back", norm: "back"}, {word: "to", norm: "to"}, {word: "you", norm: "you"}}
		return append(act, clauseWords(toks[j:])...), Commitment
	}
	for i < len(toks) {
		switch {
		case oneOf(toks[i].norm, adverbs...):
			i++
			continue
		case has(toks, i, "try", "to"), has(toks, i, "try", "and"), has(toks, i, "aim", "to"),
			has(toks, i, "be", "sure", "to"), has(toks, i, "be", "able", "to"),
			has(toks, i, "go", "ahead", "and"), has(toks, i, "make", "sure", "to"):
			if toks[i].norm == "try" || toks[i].norm == "aim" {
				i += 2
			} else if toks[i].norm == "go" || toks[i].norm == "make" || toks[i].norm == "be" {
				i += 3
			}
			continue
		}
		break
	}
	if i >= len(toks) {
		return nil, NoTime
	}
	rest := toks[i:]
	v := rest[0].norm
	next := ""
	if len(rest) > 1 {
		next = rest[1].norm
	}
	switch {
	case tr.receive:
		// the verb is the customer's (have, get…); the writer sends.
	case v == "be" && next == "in" && len(rest) > 2 && rest[2].norm == "touch":
	case v == "be" && ingVerbs[next] != "":
		rest = append([]token{{word: ingVerbs[next], norm: ingVerbs[next]}}, rest[2:]...)
	case v == "be", v == "have" && next == "to", oneOf(v, stateVerbs...) && v != "have":
		return nil, NoPromise
	case oneOf(v, "see", "talk", "speak", "catch", "chat") && (oneOf(next, "you", "ya", "soon", "then", "later", "y'all") ||
		oneOf(next, "to", "with") && len(rest) > 2 && rest[2].norm == "you"):
		return nil, NoPromise // a sign-off: "talk to you tomorrow", "see you Friday"
	}
	return clauseWords(rest), Commitment
}

// clauseWords takes words up to where another thought starts, folding
// "…and I'll do that" into one action: "check and I'll call you" reads as
// "check and call you".
func clauseWords(toks []token) []token {
	var out []token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if oneOf(t.norm, clauseEnds...) || t.norm == "if" && politeIf(toks, i) || has(toks, i, "let", "me", "know") || has(toks, i, "let", "us", "know") ||
			has(toks, i, "feel", "free") {
			break
		}
		if t.norm == "and" && i+1 < len(toks) {
			if tr, ok := findTrigger(toks[i+1:]); ok && tr.start == 0 && !tr.receive && !tr.hear {
				out = append(out, t)
				i += tr.end
				continue
			}
		}
		out = append(out, t)
	}
	return out
}
