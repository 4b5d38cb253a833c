package slackui

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Slack's Block Kit limits, counted as Slack counts them: in characters of
// the text it receives, after escaping, so "&" costs five ("&amp;"). Every
// renderer goes through Fit, FitPlain and Bound; none counts by hand.
const (
	MaxSectionText   = 3000
	MaxFieldText     = 2000
	MaxContextText   = 3000 // each text element
	MaxContextItems  = 10
	MaxHeaderText    = 150
	MaxButtonText    = 75
	MaxOptionText    = 75
	MaxPlaceholder   = 150
	MaxMessageBlocks = 50
	MaxViewBlocks    = 100
	MaxMessageText   = 40000
	// MaxAckBytes is the most a slash command's ack may weigh: slack-go
	// refuses to send one of 20,480 bytes or more, and Slack ignores it.
	// A margin is kept for the envelope around the payload.
	MaxAckBytes = 20*1024 - 512
)

// ellipsis marks a cut.
const ellipsis = "…"

// unitEnd is where the indivisible piece of mrkdwn that starts at s[i]
// ends: a <…> token (a mention, a link, a <!date^…> date), an entity
// (&amp; &lt; &gt; &quot; &#NN;), or else a single character.
func unitEnd(s string, i int) int {
	switch s[i] {
	case '<':
		for j := i + 1; j < len(s); j++ {
			if s[j] == '>' {
				return j + 1
			}
			if s[j] == '<' {
				break
			}
		}
	case '&':
		for _, e := range [...]string{"&amp;", "&lt;", "&gt;", "&quot;"} {
			if strings.HasPrefix(s[i:], e) {
				return i + len(e)
			}
		}
		if j := i + 1; j < len(s) && s[j] == '#' {
			k := j + 1
			for k < len(s) && k-j <= 8 && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			if k > j+1 && k < len(s) && s[k] == ';' {
				return k + 1
			}
		}
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	return i + w
}

// Fit cuts mrkdwn text s, already escaped, to at most max characters, with
// "…" at the cut. It cuts between characters, never inside a token or an
// entity, so a date, a mention or an &amp; is whole or absent.
func Fit(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	budget := max - utf8.RuneCountInString(ellipsis)
	n, end := 0, 0
	for end < len(s) {
		next := unitEnd(s, end)
		w := utf8.RuneCountInString(s[end:next])
		if n+w > budget {
			break
		}
		n += w
		end = next
	}
	return strings.TrimRight(s[:end], " \n") + ellipsis
}

// FitPlain cuts plain text (which Slack shows as is, with no tokens) to at
// most max characters, rune-safe, with "…" at the cut.
func FitPlain(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:max-1]), " \n") + ellipsis
}

// Bound makes blocks acceptable to Slack on a surface holding at most max
// blocks (MaxMessageBlocks or MaxViewBlocks): every text is fitted to its
// limit, a context keeps at most 10 elements, and blocks past max are
// replaced by a last line saying what is left out and where to see it.
// The renderers build blocks with Section, Context and Button, which fit
// as they go; Bound is the net under the whole.
func Bound(blocks []slack.Block, max int, rest string) []slack.Block {
	for _, b := range blocks {
		boundBlock(b)
	}
	if len(blocks) <= max {
		return blocks
	}
	out := append([]slack.Block(nil), blocks[:max-1]...)
	return append(out, Context(rest))
}

// Chunks splits mrkdwn text s into pieces of at most max characters,
// at line breaks where it can and otherwise between units, so that
// nothing is lost and no token or entity is split.
func Chunks(s string, max int) []string {
	var out []string
	var cur strings.Builder
	n := 0
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
	}
	for i, line := range strings.Split(s, "\n") {
		w := utf8.RuneCountInString(line)
		if i > 0 && n > 0 {
			if n+1+w <= max {
				cur.WriteString("\n")
				n++
			} else {
				flush()
			}
		}
		if n+w <= max {
			cur.WriteString(line)
			n += w
			continue
		}
		for i := 0; i < len(line); {
			next := unitEnd(line, i)
			uw := utf8.RuneCountInString(line[i:next])
			if n+uw > max {
				flush()
			}
			cur.WriteString(line[i:next])
			n += uw
			i = next
		}
	}
	flush()
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

func fitText(t *slack.TextBlockObject, max int) {
	if t == nil {
		return
	}
	if t.Type == slack.PlainTextType {
		t.Text = FitPlain(t.Text, max)
	} else {
		t.Text = Fit(t.Text, max)
	}
}

func boundBlock(b slack.Block) {
	switch b := b.(type) {
	case *slack.SectionBlock:
		fitText(b.Text, MaxSectionText)
		for _, f := range b.Fields {
			fitText(f, MaxFieldText)
		}
		if len(b.Fields) > 10 {
			b.Fields = b.Fields[:10]
		}
		if b.Accessory != nil {
			boundElement(b.Accessory.ButtonElement, b.Accessory.SelectElement, b.Accessory.OverflowElement)
		}
	case *slack.HeaderBlock:
		fitText(b.Text, MaxHeaderText)
	case *slack.ContextBlock:
		els := b.ContextElements.Elements
		for _, e := range els {
			if t, ok := e.(*slack.TextBlockObject); ok {
				fitText(t, MaxContextText)
			}
		}
		if len(els) > MaxContextItems {
			b.ContextElements.Elements = els[:MaxContextItems]
		}
	case *slack.ActionBlock:
		if b.Elements == nil {
			return
		}
		for _, e := range b.Elements.ElementSet {
			switch e := e.(type) {
			case *slack.ButtonBlockElement:
				boundElement(e, nil, nil)
			case *slack.SelectBlockElement:
				boundElement(nil, e, nil)
			case *slack.OverflowBlockElement:
				boundElement(nil, nil, e)
			}
		}
	case *slack.InputBlock:
		fitText(b.Label, 2000)
		fitText(b.Hint, 2000)
	}
}

func boundElement(btn *slack.ButtonBlockElement, sel *slack.SelectBlockElement, over *slack.OverflowBlockElement) {
	if btn != nil {
		fitText(btn.Text, MaxButtonText)
	}
	if sel != nil {
		fitText(sel.Placeholder, MaxPlaceholder)
		for _, o := range sel.Options {
			fitText(o.Text, MaxOptionText)
		}
	}
	if over != nil {
		for _, o := range over.Options {
			fitText(o.Text, MaxOptionText)
		}
	}
}

// AckFits says whether payload, as slack-go will marshal it into a Socket
// Mode ack, stays under MaxAckBytes.
func AckFits(payload any) bool {
	b, err := json.Marshal(payload)
	return err == nil && len(b) <= MaxAckBytes
}

// Button is a button whose label is fitted to Slack's 75 characters.
func Button(actionID, value, label string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(actionID, value, Plain(FitPlain(label, MaxButtonText)))
}

// ActionCustomerPage is the "Next page" button of `/customer list`; its
// value is the offset of the page's first line.
const ActionCustomerPage = "customer_list_page"

// pageLines and pageWire bound one page of a list: few enough lines to
// read, and few enough bytes that the page fits a slash command's ack
// even when every line is long and full of escaped characters.
const (
	pageLines = 25
	pageWire  = 14000
)

// Page is the page of a long list that starts at offset: the title, as
// many lines as fit one message, and, when lines are left, a "Next page"
// button (actionID, value the next offset) instead of a cut.
func Page(title string, lines []string, offset int, actionID string) []slack.Block {
	return PageFor(title, lines, offset, actionID, "")
}

// PageFor is Page for a list drawn for a query (a filter, an order): the
// "Next page" button carries it (PageValue), so the next page is of the
// same list.
func PageFor(title string, lines []string, offset int, actionID, query string) []slack.Block {
	offset = max(0, min(offset, len(lines)))
	text := title
	wire := wireLen(title)
	end := offset
	for end < len(lines) && end-offset < pageLines {
		if end > offset && wire+1+wireLen(lines[end]) > pageWire {
			break
		}
		text += "\n" + lines[end]
		wire += 1 + wireLen(lines[end])
		end++
	}
	blocks := SplitSections(text)
	if offset > 0 || end < len(lines) {
		blocks = append(blocks, Context(fmt.Sprintf("Showing %d–%d of %d", offset+1, end, len(lines))))
	}
	if end < len(lines) {
		next := Button(actionID, PageValue(end, query), "Next page ›")
		blocks = append(blocks, slack.NewActionBlock(actionID+":"+strconv.Itoa(end), next))
	}
	return Bound(blocks, MaxMessageBlocks, "")
}

// PageValue is a "Next page" button's value: the offset, then the query
// if any ("20", "20:neglected"). Buttons drawn before queries existed
// carry the offset alone, and still work.
func PageValue(offset int, query string) string {
	if query == "" {
		return strconv.Itoa(offset)
	}
	return strconv.Itoa(offset) + ":" + query
}

// ParsePageValue reads a value written by PageValue.
func ParsePageValue(v string) (offset int, query string, ok bool) {
	o, query, _ := strings.Cut(v, ":")
	offset, err := strconv.Atoi(o)
	return offset, query, err == nil && offset >= 0
}

// FitAck shrinks a slash command's answer until slack-go will send it
// (MaxAckBytes): texts are cut shorter and shorter, tokens and entities
// whole, rather than letting the answer vanish.
func FitAck(text string, blocks []slack.Block) (string, []slack.Block) {
	text = Fit(text, 3000)
	if n, ok := ackBound(text, blocks); ok && n <= MaxAckBytes {
		return text, blocks // fits however its characters are escaped
	}
	for _, limit := range []int{MaxSectionText, 1500, 700, 300, 120} {
		payload := map[string]any{"response_type": "ephemeral", "text": text, "blocks": blocks}
		if AckFits(payload) {
			break
		}
		for _, b := range blocks {
			shrinkBlock(b, limit)
		}
		text = Fit(text, limit)
	}
	return text, blocks
}

// ackBound is at most how many bytes an ack of text and blocks weighs
// as JSON, found without marshalling it, for answers made only of
// sections and context blocks (the commonest): JSON writes a byte of a
// string as at most six ("\u003c"), and each block and text object adds
// fewer than ackBlockBytes and ackTextBytes of keys and punctuation. Most
// answers are a tenth of the limit, so FitAck need not marshal them
// just to learn that they fit; ok is false where it cannot tell.
func ackBound(text string, blocks []slack.Block) (n int, ok bool) {
	const ackBlockBytes, ackTextBytes = 200, 100
	textBound := func(t *slack.TextBlockObject) int {
		if t == nil {
			return 0
		}
		return ackTextBytes + 6*len(t.Text)
	}
	n = ackBlockBytes + 6*len(text)
	for _, b := range blocks {
		n += ackBlockBytes
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Accessory != nil {
				return 0, false
			}
			n += 6*len(b.BlockID) + textBound(b.Text)
			for _, f := range b.Fields {
				n += textBound(f)
			}
		case *slack.ContextBlock:
			n += 6 * len(b.BlockID)
			for _, e := range b.ContextElements.Elements {
				t, isText := e.(*slack.TextBlockObject)
				if !isText {
					return 0, false
				}
				n += textBound(t)
			}
		case *slack.DividerBlock:
			n += 6 * len(b.BlockID)
		default:
			return 0, false
		}
	}
	return n, true
}

func shrinkBlock(b slack.Block, limit int) {
	switch b := b.(type) {
	case *slack.SectionBlock:
		fitText(b.Text, limit)
		for _, f := range b.Fields {
			fitText(f, limit)
		}
	case *slack.ContextBlock:
		for _, e := range b.ContextElements.Elements {
			if t, ok := e.(*slack.TextBlockObject); ok {
				fitText(t, limit)
			}
		}
	}
}
