package slacksim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Block Kit is read from JSON with these loose shapes rather than through
// slack.Blocks, so that rendering and clicking work for any block or element
// type, including ones slack-go does not model.
type kitBlock struct {
	Type      string            `json:"type"`
	BlockID   string            `json:"block_id"`
	Text      *kitText          `json:"text"`
	Fields    []kitText         `json:"fields"`
	Accessory *kitElement       `json:"accessory"`
	Elements  []json.RawMessage `json:"elements"`
	Label     *kitText          `json:"label"`
	Element   *kitElement       `json:"element"`
	AltText   string            `json:"alt_text"`
}

type kitText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type kitElement struct {
	Type         string      `json:"type"`
	ActionID     string      `json:"action_id"`
	Text         *kitText    `json:"text"`
	Value        string      `json:"value"`
	URL          string      `json:"url"`
	Style        string      `json:"style"`
	Placeholder  *kitText    `json:"placeholder"`
	Options      []kitOption `json:"options"`
	OptionGroups []struct {
		Options []kitOption `json:"options"`
	} `json:"option_groups"`
}

type kitOption struct {
	Text  kitText `json:"text"`
	Value string  `json:"value"`
}

func (e *kitElement) allOptions() []kitOption {
	opts := e.Options
	for _, g := range e.OptionGroups {
		opts = append(opts, g.Options...)
	}
	return opts
}

// interactive lists a block's actionable elements: an actions block's
// elements or a section's accessory.
func (b *kitBlock) interactive() []*kitElement {
	if b.Accessory != nil {
		return []*kitElement{b.Accessory}
	}
	if b.Type != "actions" {
		return nil
	}
	var out []*kitElement
	for _, raw := range b.Elements {
		var e kitElement
		if json.Unmarshal(raw, &e) == nil {
			out = append(out, &e)
		}
	}
	return out
}

// findAction builds the "actions" entry Slack sends when a user picks the
// button, overflow item or static_select option with actionID and value
// ("" = the first one) in blocks.
func findAction(blocks json.RawMessage, actionID, value string) (map[string]any, error) {
	var bs []kitBlock
	if err := json.Unmarshal(blocks, &bs); err != nil {
		return nil, fmt.Errorf("slacksim: blocks: %w", err)
	}
	for i, b := range bs {
		blockID := b.BlockID
		if blockID == "" {
			blockID = fmt.Sprintf("sim%d", i) // Slack makes one up when the app gave none
		}
		for _, e := range b.interactive() {
			if e.ActionID != actionID {
				continue
			}
			a := map[string]any{"action_id": e.ActionID, "block_id": blockID, "type": e.Type}
			switch e.Type {
			case "button":
				if value != "" && e.Value != value {
					continue
				}
				a["value"] = e.Value
				if e.Text != nil {
					a["text"] = e.Text
				}
				if e.Style != "" {
					a["style"] = e.Style
				}
				return a, nil
			case "users_select":
				if value == "" {
					continue
				}
				a["selected_user"] = value
				return a, nil
			case "overflow", "static_select", "radio_buttons":
				for _, o := range e.allOptions() {
					if value == "" || o.Value == value {
						a["selected_option"] = o
						if e.Placeholder != nil {
							a["placeholder"] = e.Placeholder
						}
						return a, nil
					}
				}
			}
		}
	}
	return nil, fmt.Errorf("slacksim: no element with action_id %q and value %q", actionID, value)
}

// Render turns a message into plain text for a console: user mentions stay
// as ids. (*Server).Render resolves them to names.
func Render(m Message) string { return renderMessage(m, func(id string) string { return id }) }

// Render turns a message into plain text for a console, mentions as @name.
func (s *Server) Render(m Message) string {
	return renderMessage(m, func(id string) string {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.userName(id)
	})
}

// RenderView renders a recorded view's blocks the same way.
func (s *Server) RenderView(v View) string {
	var spec struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal(v.JSON, &spec)
	return s.Render(Message{BlocksJSON: spec.Blocks})
}

func renderMessage(m Message, name func(string) string) string {
	if len(m.BlocksJSON) == 0 {
		return formatText(m.Text, name)
	}
	var bs []kitBlock
	if err := json.Unmarshal(m.BlocksJSON, &bs); err != nil {
		return formatText(m.Text, name)
	}
	var lines []string
	for _, b := range bs {
		if l := renderBlock(&b, name); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func renderBlock(b *kitBlock, name func(string) string) string {
	text := func(t *kitText) string {
		if t == nil {
			return ""
		}
		return formatText(t.Text, name)
	}
	switch b.Type {
	case "header":
		return "== " + text(b.Text) + " =="
	case "divider":
		return "----------------"
	case "section":
		parts := []string{}
		if t := text(b.Text); t != "" {
			parts = append(parts, t)
		}
		for _, f := range b.Fields {
			parts = append(parts, text(&f))
		}
		out := strings.Join(parts, "\n")
		if b.Accessory != nil {
			if a := renderElement(b.Accessory, name); a != "" {
				out += "  " + a
			}
		}
		return out
	case "context":
		var parts []string
		for _, raw := range b.Elements {
			var e struct {
				Type, Text string
				AltText    string `json:"alt_text"`
			}
			_ = json.Unmarshal(raw, &e)
			if e.Type == "image" {
				parts = append(parts, "["+e.AltText+"]")
			} else {
				parts = append(parts, formatText(e.Text, name))
			}
		}
		return "  " + strings.Join(parts, " · ")
	case "actions":
		var parts []string
		for _, e := range b.interactive() {
			parts = append(parts, renderElement(e, name))
		}
		return strings.Join(parts, " ")
	case "input":
		return text(b.Label) + ": " + renderElement(b.Element, name)
	case "image":
		return "[image: " + b.AltText + "]"
	case "rich_text":
		return "[rich text]"
	}
	return ""
}

func renderElement(e *kitElement, name func(string) string) string {
	if e == nil {
		return ""
	}
	label := func(t *kitText) string {
		if t == nil {
			return ""
		}
		return formatText(t.Text, name)
	}
	options := func() string {
		var o []string
		for _, opt := range e.allOptions() {
			o = append(o, formatText(opt.Text.Text, name))
		}
		return strings.Join(o, " | ")
	}
	switch e.Type {
	case "button":
		return "[" + label(e.Text) + "]"
	case "overflow":
		return "[⋯: " + options() + "]"
	case "static_select", "radio_buttons":
		return "[" + label(e.Placeholder) + " ▾: " + options() + "]"
	case "plain_text_input":
		return "[" + label(e.Placeholder) + "____]"
	}
	if p := label(e.Placeholder); p != "" {
		return "[" + e.Type + ": " + p + "]"
	}
	return "[" + e.Type + "]"
}

var mrkdwnLink = regexp.MustCompile(`<([^<>]*)>`)

// formatText resolves Slack's angle-bracket markup to what a reader sees,
// then unescapes &amp; &lt; &gt;.
func formatText(s string, name func(string) string) string {
	s = mrkdwnLink.ReplaceAllStringFunc(s, func(tag string) string {
		body := tag[1 : len(tag)-1]
		target, label, hasLabel := strings.Cut(body, "|")
		switch {
		case strings.HasPrefix(target, "!date^"):
			return label
		case strings.HasPrefix(target, "@"):
			if hasLabel {
				return "@" + label
			}
			return "@" + name(target[1:])
		case strings.HasPrefix(target, "#"):
			if hasLabel {
				return "#" + label
			}
			return "#" + target[1:]
		case strings.HasPrefix(target, "!subteam^"):
			return label
		case strings.HasPrefix(target, "!"):
			return "@" + target[1:]
		case hasLabel:
			return label + " (" + target + ")"
		}
		return target
	})
	return entityReader.Replace(s)
}

// entityReader undoes entityEscaper; built once, as a Replacer's table is
// compiled on first use.
var entityReader = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
