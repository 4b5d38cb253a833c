package commitment

import (
	"regexp"
	"strings"
	"unicode"
)

// token is one word of a sentence.
type token struct {
	word string // as written, without sentence punctuation: output of tasks
	norm string // lower case, straight apostrophes, no punctuation around it
	// pause is set when a comma, colon or dash follows the word: the end of
	// a phrase, which a time phrase does not cross.
	pause bool
	upper bool // written with a capital letter ("Sat", not "sat")
}

// sentence is a run of tokens and whether it was asked.
type sentence struct {
	toks     []token
	question bool
}

// maxTokens bounds one sentence; a promise is shorter, and the time finder
// tries a few windows per token.
const maxTokens = 80

var (
	// slackToken is Slack's markup for mentions, channels and links:
	// <@U123|ann>, <#C123|general>, <!here>, <https://x|label>.
	slackToken = regexp.MustCompile(`<([^<>\s][^<>]*)>`)
	codeBlock  = regexp.MustCompile("(?s)```.*?```|`[^`\n]*`")
	emoji      = regexp.MustCompile(`:[a-z0-9_+'\-]+:`)
	entities   = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
	// spelling folds typography and abbreviations that carry dots, so that
	// a.m. or e.g. does not end a sentence.
	spelling = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u201c", `"`, "\u201d", `"`,
		"a.m.", "am", "p.m.", "pm", "A.M.", "am", "P.M.", "pm", "e.g.", "eg", "i.e.", "ie")
)

// clean turns Slack's message text into plain sentences: mentions become
// "@name", links their label, code and emoji go, and quoted lines ("> …",
// someone else's words) are dropped.
func clean(text string) string {
	text = codeBlock.ReplaceAllString(text, " ")
	text = slackToken.ReplaceAllStringFunc(text, func(m string) string {
		inner := m[1 : len(m)-1]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"):
			if hasLabel {
				return "@" + label
			}
			return "@someone"
		case strings.HasPrefix(target, "#"):
			if hasLabel {
				return "#" + label
			}
			return "#channel"
		case strings.HasPrefix(target, "!"):
			return ""
		case hasLabel:
			return label
		}
		return "link"
	})
	text = spelling.Replace(entities.Replace(text))
	text = emoji.ReplaceAllString(text, " ")
	lines := strings.Split(text, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), ">") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// sentences cuts text at line breaks, semicolons, and at . ! ? followed by
// a space or the end (so 2.5 and example.com stay whole).
func sentences(text string) []sentence {
	var out []sentence
	start := 0
	flush := func(end int, question bool) {
		if toks := tokens(text[start:end]); len(toks) > 0 {
			out = append(out, sentence{toks: toks, question: question})
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n' || c == ';':
			flush(i, false)
			start = i + 1
		case c == '.' || c == '!' || c == '?':
			j := i
			question := false
			for j < len(text) && (text[j] == '.' || text[j] == '!' || text[j] == '?') {
				question = question || text[j] == '?'
				j++
			}
			if j < len(text) && !unicode.IsSpace(rune(text[j])) && text[j] != ')' && text[j] != '"' {
				i = j - 1
				continue
			}
			flush(j, question)
			start = j
			i = j - 1
		}
	}
	flush(len(text), false)
	return out
}

const edgePunct = "\"'()[]{}*_~,.!?;:"

// tokens cuts a sentence into words.
func tokens(s string) []token {
	var toks []token
	for _, f := range strings.Fields(s) {
		if len(toks) == maxTokens {
			break
		}
		if strings.Trim(f, "-–—/&+|") == "" { // a dash on its own: a pause
			if len(toks) > 0 {
				toks[len(toks)-1].pause = true
			}
			continue
		}
		norm := strings.ToLower(strings.Trim(f, edgePunct))
		if norm == "" {
			continue
		}
		word := strings.TrimRight(f, ".!?;:")
		word = strings.TrimLeft(word, `"'(*_~`)
		word = strings.TrimRight(word, `"')*_~`)
		t := token{
			word:  word,
			norm:  norm,
			pause: strings.ContainsAny(f[len(f)-1:], ",:") || strings.HasSuffix(f, "—") || strings.HasSuffix(f, "–"),
		}
		for _, r := range strings.TrimLeft(f, edgePunct) {
			t.upper = unicode.IsUpper(r)
			break
		}
		toks = append(toks, t)
	}
	return toks
}

// norms returns the normalised words of toks.
func norms(toks []token) []string {
	w := make([]string, len(toks))
	for i, t := range toks {
		w[i] = t.norm
	}
	return w
}

// has reports whether toks[i:] starts with the words ws.
func has(toks []token, i int, ws ...string) bool {
	if i < 0 || i+len(ws) > len(toks) {
		return false
	}
	for k, w := range ws {
		if toks[i+k].norm != w {
			return false
		}
	}
	return true
}

func oneOf(s string, set ...string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}
