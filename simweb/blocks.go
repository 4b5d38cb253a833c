package simweb

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
)

// Block Kit is read from JSON with loose shapes, so that any block or
// element an app sends can be drawn, including ones slack-go does not model.
type block struct {
	Type           string            `json:"type"`
	BlockID        string            `json:"block_id"`
	Text           *text             `json:"text"`
	Fields         []text            `json:"fields"`
	Accessory      *element          `json:"accessory"`
	Elements       []json.RawMessage `json:"elements"`
	Label          *text             `json:"label"`
	Hint           *text             `json:"hint"`
	Element        *element          `json:"element"`
	Optional       bool              `json:"optional"`
	DispatchAction bool              `json:"dispatch_action"`
	ImageURL       string            `json:"image_url"`
	AltText        string            `json:"alt_text"`
	Title          *text             `json:"title"`
}

type text struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji *bool  `json:"emoji"`
}

type option struct {
	Text        text   `json:"text"`
	Value       string `json:"value"`
	Description *text  `json:"description,omitempty"`
}

type element struct {
	Type         string   `json:"type"`
	ActionID     string   `json:"action_id"`
	Text         *text    `json:"text"`
	Value        string   `json:"value"`
	URL          string   `json:"url"`
	Style        string   `json:"style"`
	Placeholder  *text    `json:"placeholder"`
	Options      []option `json:"options"`
	OptionGroups []struct {
		Label   text     `json:"label"`
		Options []option `json:"options"`
	} `json:"option_groups"`
	InitialOption  *option  `json:"initial_option"`
	InitialOptions []option `json:"initial_options"`
	InitialUser    string   `json:"initial_user"`
	InitialUsers   []string `json:"initial_users"`
	InitialDate    string   `json:"initial_date"`
	InitialTime    string   `json:"initial_time"`
	InitialValue   string   `json:"initial_value"`
	Multiline      bool     `json:"multiline"`
	MaxLength      int      `json:"max_length"`
	MinLength      int      `json:"min_length"`
	ImageURL       string   `json:"image_url"`
	AltText        string   `json:"alt_text"`
}

func (e *element) allOptions() []option {
	opts := append([]option(nil), e.Options...)
	for _, g := range e.OptionGroups {
		opts = append(opts, g.Options...)
	}
	return opts
}

// surface is what blocks are drawn in: a message, a modal or a Home tab.
// In a modal, input blocks hold state that is sent on submit; everywhere
// else an element acts when used.
type surface struct {
	viewer
	people []option // for users_select: every member who is a person
}

// blocks renders a block list; raw is the JSON array an app sent.
func (s surface) blocks(raw json.RawMessage) (string, error) {
	var bs []block
	if err := json.Unmarshal(raw, &bs); err != nil {
		return "", fmt.Errorf("simweb: blocks: %w", err)
	}
	var b strings.Builder
	for i, bl := range bs {
		id := bl.BlockID
		if id == "" {
			id = fmt.Sprintf("sim%d", i) // as slacksim names blocks the app left unnamed
		}
		b.WriteString(s.block(&bl, id))
	}
	return b.String(), nil
}

func (s surface) text(t *text) string {
	if t == nil {
		return ""
	}
	if t.Type == "mrkdwn" {
		return s.mrkdwn(t.Text)
	}
	return s.plainText(t.Text, t.Emoji == nil || *t.Emoji)
}

func attr(s string) string { return html.EscapeString(s) }

func (s surface) block(b *block, id string) string {
	open := func(class string) string {
		return fmt.Sprintf(`<div class="s-block %s" data-block="%s">`, class, attr(id))
	}
	switch b.Type {
	case "header":
		return open("s-header") + s.text(b.Text) + "</div>"
	case "divider":
		return open("s-divider") + "<hr></div>"
	case "section":
		var out strings.Builder
		out.WriteString(open("s-section"))
		out.WriteString(`<div class="s-section-main">`)
		if b.Text != nil {
			out.WriteString(`<div class="s-text">` + s.text(b.Text) + `</div>`)
		}
		if len(b.Fields) > 0 {
			out.WriteString(`<div class="s-fields">`)
			for i := range b.Fields {
				out.WriteString(`<div class="s-field-text">` + s.text(&b.Fields[i]) + `</div>`)
			}
			out.WriteString(`</div>`)
		}
		out.WriteString(`</div>`)
		if b.Accessory != nil {
			out.WriteString(`<div class="s-accessory">` + s.element(b.Accessory, id, false) + `</div>`)
		}
		out.WriteString("</div>")
		return out.String()
	case "context":
		var out strings.Builder
		out.WriteString(open("s-context"))
		for _, raw := range b.Elements {
			var e struct {
				text
				ImageURL string `json:"image_url"`
				AltText  string `json:"alt_text"`
			}
			_ = json.Unmarshal(raw, &e)
			if e.Type == "image" {
				out.WriteString(s.image(e.ImageURL, e.AltText, "s-context-image"))
				continue
			}
			out.WriteString(`<span class="s-context-item">` + s.text(&e.text) + `</span>`)
		}
		out.WriteString("</div>")
		return out.String()
	case "actions":
		var out strings.Builder
		out.WriteString(open("s-actions"))
		for _, raw := range b.Elements {
			var e element
			if json.Unmarshal(raw, &e) == nil {
				out.WriteString(s.element(&e, id, false))
			}
		}
		out.WriteString("</div>")
		return out.String()
	case "input":
		var out strings.Builder
		out.WriteString(fmt.Sprintf(`<div class="s-block s-input" data-block="%s" data-optional="%t">`, attr(id), b.Optional))
		out.WriteString(`<label class="s-label">` + s.text(b.Label))
		if b.Optional {
			out.WriteString(` <span class="s-optional">(optional)</span>`)
		}
		out.WriteString(`</label>`)
		if b.Element != nil {
			out.WriteString(s.element(b.Element, id, !b.DispatchAction))
		}
		out.WriteString(`<div class="s-error" hidden></div>`)
		if b.Hint != nil {
			out.WriteString(`<div class="s-hint">` + s.text(b.Hint) + `</div>`)
		}
		out.WriteString("</div>")
		return out.String()
	case "image":
		out := open("s-image-block")
		if b.Title != nil {
			out += `<div class="s-image-title">` + s.text(b.Title) + `</div>`
		}
		return out + s.image(b.ImageURL, b.AltText, "s-image") + "</div>"
	}
	// rich_text, video, file: drawn as what they say, if anything.
	if b.Text != nil {
		return open("s-section") + `<div class="s-text">` + s.text(b.Text) + `</div></div>`
	}
	return open("s-unknown") + `<span class="s-unsupported">[` + attr(b.Type) + ` block]</span></div>`
}

// image shows images the page can load offline (data: URLs); others, which
// would need the network, as their alt text.
func (s surface) image(url, alt, class string) string {
	if strings.HasPrefix(url, "data:image/") {
		return fmt.Sprintf(`<img class="%s" src="%s" alt="%s">`, class, attr(url), attr(alt))
	}
	return fmt.Sprintf(`<span class="%s s-image-alt" title="%s">🖼 %s</span>`, class, attr(url), attr(alt))
}

// element renders an interactive element. stateful elements sit in a
// modal's input blocks: using them changes the form, not the app.
func (s surface) element(e *element, blockID string, stateful bool) string {
	data := fmt.Sprintf(`data-type="%s" data-block="%s" data-action="%s"`, attr(e.Type), attr(blockID), attr(e.ActionID))
	if stateful {
		data += ` data-state="1"`
	}
	placeholder := func(def string) string {
		if e.Placeholder != nil {
			return e.Placeholder.Text
		}
		return def
	}
	switch e.Type {
	case "button":
		class := "s-btn"
		if e.Style != "" {
			class += " s-btn-" + attr(e.Style)
		}
		return fmt.Sprintf(`<button type="button" class="%s" %s data-value="%s" data-url="%s">%s</button>`,
			class, data, attr(e.Value), attr(e.URL), s.text(e.Text))
	case "overflow":
		return fmt.Sprintf(`<button type="button" class="s-overflow" %s data-options="%s" title="More options" aria-label="More options">⋮</button>`,
			data, attr(optionsJSON(e.allOptions())), // Slack's overflow is a vertical ellipsis
		)
	case "static_select", "external_select", "users_select", "conversations_select", "channels_select":
		opts := e.allOptions()
		selected, label := "", placeholder("Select an item")
		if e.InitialOption != nil {
			selected, label = e.InitialOption.Value, e.InitialOption.Text.Text
		}
		if e.Type == "users_select" {
			opts = s.people
			if e.InitialUser != "" {
				selected, label = e.InitialUser, s.name(e.InitialUser)
			}
		}
		class := "s-select"
		if selected == "" {
			class += " s-select-empty"
		}
		return fmt.Sprintf(`<button type="button" class="%s" %s data-options="%s" data-selected="%s" data-placeholder="%s"><span class="s-select-label">%s</span><span class="s-caret">⌄</span></button>`,
			class, data, attr(optionsJSON(opts)), attr(selected), attr(placeholder("Select an item")), html.EscapeString(label))
	case "multi_static_select", "multi_users_select":
		opts := e.allOptions()
		if e.Type == "multi_users_select" {
			opts = s.people
		}
		sel := map[string]bool{}
		for _, o := range e.InitialOptions {
			sel[o.Value] = true
		}
		for _, u := range e.InitialUsers {
			sel[u] = true
		}
		var b strings.Builder
		fmt.Fprintf(&b, `<select multiple class="s-multi" %s aria-label="%s">`, data, attr(placeholder("Select items")))
		for _, o := range opts {
			selected := ""
			if sel[o.Value] {
				selected = " selected"
			}
			fmt.Fprintf(&b, `<option value="%s"%s>%s</option>`, attr(o.Value), selected, html.EscapeString(o.Text.Text))
		}
		b.WriteString(`</select>`)
		return b.String()
	case "datepicker":
		return fmt.Sprintf(`<input type="date" class="s-picker" %s value="%s" aria-label="%s">`, data, attr(e.InitialDate), attr(placeholder("Select a date")))
	case "timepicker":
		return fmt.Sprintf(`<input type="time" class="s-picker" %s value="%s" aria-label="%s">`, data, attr(e.InitialTime), attr(placeholder("Select time")))
	case "datetimepicker":
		return fmt.Sprintf(`<input type="datetime-local" class="s-picker" %s>`, data)
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		kind := map[string]string{"plain_text_input": "text", "email_text_input": "email", "url_text_input": "url", "number_input": "number"}[e.Type]
		limits := ""
		if e.MaxLength > 0 {
			limits += fmt.Sprintf(` maxlength="%d"`, e.MaxLength)
		}
		if e.MinLength > 0 {
			limits += fmt.Sprintf(` minlength="%d"`, e.MinLength)
		}
		if e.Multiline {
			return fmt.Sprintf(`<textarea class="s-text-input" rows="3" %s placeholder="%s"%s>%s</textarea>`,
				data, attr(placeholder("")), limits, html.EscapeString(e.InitialValue))
		}
		return fmt.Sprintf(`<input type="%s" class="s-text-input" %s placeholder="%s" value="%s"%s>`,
			kind, data, attr(placeholder("")), attr(e.InitialValue), limits)
	case "checkboxes", "radio_buttons":
		kind := map[string]string{"checkboxes": "checkbox", "radio_buttons": "radio"}[e.Type]
		initial := map[string]bool{}
		if e.InitialOption != nil {
			initial[e.InitialOption.Value] = true
		}
		for _, o := range e.InitialOptions {
			initial[o.Value] = true
		}
		var b strings.Builder
		b.WriteString(fmt.Sprintf(`<div class="s-choices" %s>`, data))
		for _, o := range e.Options {
			checked := ""
			if initial[o.Value] {
				checked = " checked"
			}
			b.WriteString(fmt.Sprintf(`<label class="s-choice"><input type="%s" name="%s/%s" value="%s"%s> %s</label>`,
				kind, attr(blockID), attr(e.ActionID), attr(o.Value), checked, s.text(&o.Text)))
		}
		b.WriteString(`</div>`)
		return b.String()
	case "image":
		return s.image(e.ImageURL, e.AltText, "s-accessory-image")
	}
	return `<span class="s-unsupported">[` + attr(e.Type) + `]</span>`
}

func optionsJSON(opts []option) string {
	type o struct {
		Text  string `json:"text"`
		Value string `json:"value"`
	}
	out := make([]o, 0, len(opts))
	for _, op := range opts {
		out = append(out, o{op.Text.Text, op.Value})
	}
	b, _ := json.Marshal(out)
	return string(b)
}
