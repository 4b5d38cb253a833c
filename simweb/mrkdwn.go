package simweb

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// viewer is who a surface is drawn for: mentions of them are highlighted,
// and dates are shown in their zone, relative to now.
type viewer struct {
	user    string
	loc     *time.Location
	now     time.Time
	name    func(id string) string // display name of a user id
	channel func(id string) string
}

// Slack's mrkdwn: the app escapes &, < and > as entities, so every raw <…>
// is a control sequence (mention, channel, date, link).
var (
	controlSeq = regexp.MustCompile(`<([^<>]*)>`)
	codeBlock  = regexp.MustCompile("(?s)```(.*?)```")
	codeSpan   = regexp.MustCompile("`([^`\n]+)`")
	// Formatting marks count at word boundaries only, as in Slack: "2*3*4"
	// stays as it is.
	boldRe   = regexp.MustCompile(`(^|[\s(\[{"'“‘_~>\x{E003}])\*([^*\n]*[^\s*])\*($|[\s.,;:!?)\]}"'”’_~<\x{E000}])`)
	italicRe = regexp.MustCompile(`(^|[\s(\[{"'“‘*~>\x{E003}])_([^_\n]*[^\s_])_($|[\s.,;:!?)\]}"'”’*~<\x{E000}])`)
	strikeRe = regexp.MustCompile(`(^|[\s(\[{"'“‘*_>\x{E003}])~([^~\n]*[^\s~])~($|[\s.,;:!?)\]}"'”’*_<\x{E000}])`)
	emojiRe  = regexp.MustCompile(`:([a-z0-9_+\-]+):`)
	// placeholders stand for rendered pieces while the rest is formatted.
	placeholder = regexp.MustCompile(`\x{E001}(\d+)\x{E002}`)
	pieceRef    = regexp.MustCompile(`\x{E000}(\d+)\x{E003}`)
)

// emoji are the shortcodes a bot is likely to write; others stay as text.
var emoji = map[string]string{
	"white_check_mark": "✅", "heavy_check_mark": "✔️", "x": "❌", "warning": "⚠️",
	"alarm_clock": "⏰", "calendar": "📆", "date": "📅", "spiral_calendar_pad": "🗓",
	"wave": "👋", "tada": "🎉", "bell": "🔔", "zzz": "💤", "telephone_receiver": "📞",
	"memo": "📝", "hourglass": "⌛", "hourglass_flowing_sand": "⏳", "eyes": "👀",
	"thumbsup": "👍", "+1": "👍", "star": "⭐", "fire": "🔥", "rotating_light": "🚨",
	"handshake": "🤝", "speech_balloon": "💬", "bar_chart": "📊", "inbox_tray": "📥",
}

// mrkdwn renders Slack mrkdwn as HTML for v.
func (v viewer) mrkdwn(s string) string {
	var pieces []string
	keep := func(h string) string {
		pieces = append(pieces, h)
		return "\uE001" + strconv.Itoa(len(pieces)-1) + "\uE002"
	}
	s = controlSeq.ReplaceAllStringFunc(s, func(tag string) string {
		return keep(v.control(tag[1 : len(tag)-1]))
	})
	s = codeBlock.ReplaceAllStringFunc(s, func(m string) string {
		body := strings.Trim(m[3:len(m)-3], "\n")
		return keep("<pre class=\"s-pre\">" + escape(body) + "</pre>")
	})
	s = codeSpan.ReplaceAllStringFunc(s, func(m string) string {
		return keep("<code class=\"s-code\">" + escape(m[1:len(m)-1]) + "</code>")
	})
	// Placeholders become one private-use rune each, so that "*<@U1>*"
	// is bold around a mention.
	s = placeholder.ReplaceAllString(s, "\uE000$1\uE003")
	s = escape(s)
	for _, f := range []struct {
		re  *regexp.Regexp
		tag string
	}{{boldRe, "b"}, {italicRe, "i"}, {strikeRe, "s"}} {
		// Twice, so that adjacent spans sharing a boundary ("*a* *b*") both match.
		for range 2 {
			s = f.re.ReplaceAllString(s, "$1<"+f.tag+">$2</"+f.tag+">$3")
		}
	}
	s = emojiRe.ReplaceAllStringFunc(s, func(m string) string {
		if e, ok := emoji[m[1:len(m)-1]]; ok {
			return e
		}
		return m
	})
	s = quoteLines(s)
	s = strings.ReplaceAll(s, "\n", "<br>")
	return pieceRef.ReplaceAllStringFunc(s, func(m string) string {
		i, _ := strconv.Atoi(strings.Trim(m, "\uE000\uE003"))
		return pieces[i]
	})
}

// quoteLines turns lines starting with "> " (escaped by then) into a
// blockquote, as Slack does.
func quoteLines(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	var quote []string
	flush := func() {
		if quote != nil {
			out = append(out, "<blockquote class=\"s-quote\">"+strings.Join(quote, "<br>")+"</blockquote>")
			quote = nil
		}
	}
	for _, l := range lines {
		if q, ok := strings.CutPrefix(l, "&gt;"); ok {
			quote = append(quote, strings.TrimPrefix(q, " "))
			continue
		}
		flush()
		out = append(out, l)
	}
	flush()
	return strings.Join(out, "\n")
}

// escape turns Slack's text (entities already in it) into HTML text: the
// entities Slack defines are read, then everything is escaped once.
func escape(s string) string {
	return html.EscapeString(slackEntities.Replace(s))
}

// slackEntities reads the three entities Slack defines; built once.
var slackEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// plainText renders a plain_text object: no formatting, emoji shortcodes
// read when the app asked for them.
func (v viewer) plainText(s string, withEmoji bool) string {
	s = html.EscapeString(s)
	if withEmoji {
		s = emojiRe.ReplaceAllStringFunc(s, func(m string) string {
			if e, ok := emoji[m[1:len(m)-1]]; ok {
				return e
			}
			return m
		})
	}
	return strings.ReplaceAll(s, "\n", "<br>")
}

// control renders the body of one <…> control sequence.
func (v viewer) control(body string) string {
	target, label, hasLabel := strings.Cut(body, "|")
	switch {
	case strings.HasPrefix(target, "@U") || strings.HasPrefix(target, "@W"):
		id := target[1:]
		class := "s-mention"
		if id == v.user {
			class += " s-mention-me"
		}
		return fmt.Sprintf(`<span class="%s" data-user="%s">@%s</span>`, class, html.EscapeString(id), html.EscapeString(v.name(id)))
	case strings.HasPrefix(target, "#C") || strings.HasPrefix(target, "#G"):
		name := target[1:]
		if v.channel != nil {
			name = v.channel(target[1:])
		}
		if hasLabel && label != "" {
			name = label
		}
		return `<span class="s-mention s-channel">#` + escape(name) + `</span>`
	case strings.HasPrefix(target, "!date^"):
		return v.dateToken(target, label)
	case strings.HasPrefix(target, "!subteam^"):
		return `<span class="s-mention">` + escape(label) + `</span>`
	case target == "!here" || target == "!channel" || target == "!everyone":
		return `<span class="s-mention s-mention-me">@` + target[1:] + `</span>`
	case strings.HasPrefix(target, "!"):
		return escape(label)
	}
	text := target
	if hasLabel {
		text = label
	}
	return `<a class="s-link" href="` + html.EscapeString(html.UnescapeString(target)) + `" target="_blank" rel="noopener">` + escape(text) + `</a>`
}

// dateToken renders <!date^unix^format^optional_link|fallback> in the
// viewer's zone, as Slack does for each reader.
func (v viewer) dateToken(target, fallback string) string {
	parts := strings.Split(target, "^")
	if len(parts) < 3 {
		return escape(fallback)
	}
	sec, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return escape(fallback)
	}
	t := time.Unix(sec, 0)
	text := escape(formatDate(t, html.UnescapeString(parts[2]), v.loc, v.now))
	title := escape(t.In(v.loc).Format("Monday, January 2, 2006 at 3:04 PM MST"))
	out := `<time class="s-date" datetime="` + t.UTC().Format(time.RFC3339) + `" title="` + title + `">` + text + `</time>`
	if len(parts) > 3 && parts[3] != "" {
		out = `<a class="s-link" href="` + html.EscapeString(parts[3]) + `" target="_blank" rel="noopener">` + out + `</a>`
	}
	return out
}

// formatDate fills Slack's date tokens with t as seen in loc at now.
func formatDate(t time.Time, format string, loc *time.Location, now time.Time) string {
	t, now = t.In(loc), now.In(loc)
	ordinal := func(d int) string {
		switch {
		case d%100 >= 11 && d%100 <= 13:
			return strconv.Itoa(d) + "th"
		case d%10 == 1:
			return strconv.Itoa(d) + "st"
		case d%10 == 2:
			return strconv.Itoa(d) + "nd"
		case d%10 == 3:
			return strconv.Itoa(d) + "rd"
		}
		return strconv.Itoa(d) + "th"
	}
	date := t.Format("January ") + ordinal(t.Day()) + t.Format(", 2006")
	short := t.Format("Jan 2, 2006")
	long := t.Format("Monday, ") + date
	// relative names today/yesterday/tomorrow by calendar day in loc.
	day := func(x time.Time) time.Time { return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, loc) }
	rel := ""
	switch int(day(t).Sub(day(now)).Round(time.Hour).Hours() / 24) {
	case 0:
		rel = "today"
	case -1:
		rel = "yesterday"
	case 1:
		rel = "tomorrow"
	}
	pretty := func(otherwise string) func(at int) string {
		return func(at int) string {
			if rel == "" {
				return otherwise
			}
			if at == 0 {
				return strings.ToUpper(rel[:1]) + rel[1:]
			}
			return rel
		}
	}
	fixed := func(s string) func(int) string { return func(int) string { return s } }
	tokens := map[string]func(at int) string{
		"date_num":           fixed(t.Format("2006-01-02")),
		"date_slash":         fixed(t.Format("02/01/2006")),
		"date":               fixed(date),
		"date_short":         fixed(short),
		"date_long":          fixed(long),
		"date_long_full":     fixed(t.Format("January 2, 2006")),
		"date_pretty":        pretty(date),
		"date_short_pretty":  pretty(short),
		"date_long_pretty":   pretty(long),
		"day_divider_pretty": pretty(t.Format("Monday, January ") + ordinal(t.Day())),
		"time":               fixed(t.Format("3:04 PM")),
		"time_secs":          fixed(t.Format("3:04:05 PM")),
		"ago":                fixed(ago(t, now)),
	}
	var b strings.Builder
	for i := 0; i < len(format); {
		if format[i] == '{' {
			if j := strings.IndexByte(format[i:], '}'); j > 0 {
				if f, ok := tokens[format[i+1:i+j]]; ok {
					b.WriteString(f(i))
					i += j + 1
					continue
				}
			}
		}
		b.WriteByte(format[i])
		i++
	}
	return b.String()
}

// ago is Slack's {ago}: "3 minutes ago", "in 2 hours".
func ago(t, now time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var n int
	var unit string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		n, unit = int(d/time.Minute), "minute"
	case d < 24*time.Hour:
		n, unit = int(d/time.Hour), "hour"
	case d < 30*24*time.Hour:
		n, unit = int(d/(24*time.Hour)), "day"
	case d < 365*24*time.Hour:
		n, unit = int(d/(30*24*time.Hour)), "month"
	default:
		n, unit = int(d/(365*24*time.Hour)), "year"
	}
	if n != 1 {
		unit += "s"
	}
	if future {
		return fmt.Sprintf("in %d %s", n, unit)
	}
	return fmt.Sprintf("%d %s ago", n, unit)
}
