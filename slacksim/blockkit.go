package slacksim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file checks Block Kit the way Slack does before it accepts a
// message, a view or a slash command's answer. The rules are those of
// Slack's Block Kit reference (docs.slack.dev/reference/block-kit and the
// limits published with @slack/types): text object types, the length of
// every field, how many items a list may hold, and which blocks and
// elements may appear where. Problems are reported as Slack reports them:
// one line per problem, "<what is wrong> [json-pointer:<where>]".
//
// Lengths are counted in characters of the JSON value Slack receives, that
// is after the app's escaping: "&amp;" is five characters.

// surface is where blocks are shown; it decides the block limit and which
// block types are allowed.
type surface string

const (
	surfaceMessage surface = "message"
	surfaceModal   surface = "modal"
	surfaceHome    surface = "home"
)

// Limits Slack publishes for messages and views.
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxMessageText   = 40000
)

// kitCheck collects the problems of one payload.
type kitCheck struct {
	surface surface
	errs    []string
}

func (c *kitCheck) add(ptr, format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...)+" [json-pointer:"+ptr+"]")
}

// messages is the problems as Slack lists them in response_metadata.messages.
func (c *kitCheck) messages() []string {
	out := make([]string, len(c.errs))
	for i, e := range c.errs {
		out[i] = "[ERROR] " + e
	}
	return out
}

func (c *kitCheck) ok() bool { return len(c.errs) == 0 }

// KitError is Block Kit that Slack would refuse: Code is the error Slack
// answers (invalid_blocks, invalid_arguments) and Problems its
// response_metadata.messages, each naming a JSON pointer.
type KitError struct {
	Code     string
	Problems []string
}

func (e *KitError) Error() string {
	return e.Code + ": " + strings.Join(e.Problems, "; ")
}

// answer is the ok:false body Slack sends for e.
func (e *KitError) answer() map[string]any {
	errs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = strings.TrimPrefix(p, "[ERROR] ")
	}
	body := map[string]any{"response_metadata": map[string]any{"messages": e.Problems}}
	if e.Code == "invalid_blocks" { // the chat methods list them twice; views only in messages
		body["errors"] = errs
	}
	return body
}

// ValidateMessageBlocks checks a message's blocks (JSON array) as
// chat.postMessage, chat.update, chat.postEphemeral, a response_url or a
// slash command ack would; nil if Slack would accept them.
func ValidateMessageBlocks(blocks json.RawMessage) *KitError {
	c := &kitCheck{surface: surfaceMessage}
	c.blocks("/blocks", blocks, maxMessageBlocks)
	if c.ok() {
		return nil
	}
	return &KitError{Code: "invalid_blocks", Problems: c.messages()}
}

// ValidateView checks a view object as views.open/push/update (kind
// "modal") or views.publish (kind "home") would; nil if Slack would accept it.
func ValidateView(view json.RawMessage, kind string) *KitError {
	c := &kitCheck{surface: surface(kind)}
	c.view("/view", view, kind)
	if c.ok() {
		return nil
	}
	return &KitError{Code: "invalid_arguments", Problems: c.messages()}
}

func decodeAny(raw json.RawMessage) (any, error) {
	var v any
	err := json.Unmarshal(raw, &v)
	return v, err
}

func (c *kitCheck) view(ptr string, raw json.RawMessage, kind string) {
	v, err := decodeAny(raw)
	if err != nil {
		c.add(ptr, "must be valid JSON")
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must provide an object")
		return
	}
	if t, _ := m["type"].(string); t != kind {
		c.add(ptr+"/type", "must be %q", kind)
	}
	known := map[string]bool{"type": true, "blocks": true, "private_metadata": true, "callback_id": true, "external_id": true}
	if kind == "modal" {
		for _, k := range []string{"title", "close", "submit", "clear_on_close", "notify_on_close", "submit_disabled"} {
			known[k] = true
		}
		c.text(ptr+"/title", m["title"], plainOnly, 24, true)
		c.text(ptr+"/close", m["close"], plainOnly, 24, false)
		c.text(ptr+"/submit", m["submit"], plainOnly, 24, false)
		c.boolean(ptr+"/clear_on_close", m["clear_on_close"])
		c.boolean(ptr+"/notify_on_close", m["notify_on_close"])
	}
	c.unknown(ptr, m, known)
	c.str(ptr+"/private_metadata", m["private_metadata"], 3000, false)
	c.str(ptr+"/callback_id", m["callback_id"], 255, false)
	c.str(ptr+"/external_id", m["external_id"], 255, false)
	blocks, ok := m["blocks"]
	if !ok {
		c.add(ptr+"/blocks", "must provide an array")
		return
	}
	b, _ := json.Marshal(blocks)
	c.blocks(ptr+"/blocks", b, maxViewBlocks)
	if kind == "modal" && m["submit"] == nil && hasInput(blocks) {
		c.add(ptr+"/submit", "must provide submit when the view has an input block")
	}
}

func hasInput(blocks any) bool {
	list, _ := blocks.([]any)
	for _, b := range list {
		if m, ok := b.(map[string]any); ok && m["type"] == "input" {
			return true
		}
	}
	return false
}

func (c *kitCheck) blocks(ptr string, raw json.RawMessage, max int) {
	v, err := decodeAny(raw)
	if err != nil {
		c.add(ptr, "must be valid JSON")
		return
	}
	list, ok := v.([]any)
	if !ok {
		c.add(ptr, "must provide an array")
		return
	}
	if len(list) > max {
		c.add(ptr, "no more than %d items allowed", max)
	}
	ids := map[string]bool{}
	for i, b := range list {
		p := ptr + "/" + strconv.Itoa(i)
		m, ok := b.(map[string]any)
		if !ok {
			c.add(p, "must provide an object")
			continue
		}
		if id, ok := m["block_id"].(string); ok {
			if ids[id] {
				c.add(p+"/block_id", "must be unique within the surface (duplicate %q)", id)
			}
			ids[id] = true
		}
		c.block(p, m)
	}
}

// Text object kinds a field accepts.
const (
	plainOnly = iota
	plainOrMrkdwn
)

// text checks a text object: its type, and its text between 1 and max
// characters.
func (c *kitCheck) text(ptr string, v any, kinds, max int, required bool) {
	if v == nil {
		if required {
			c.add(ptr, "must provide an object")
		}
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must provide an object")
		return
	}
	typ, _ := m["type"].(string)
	switch {
	case typ == "plain_text":
		c.unknown(ptr, m, map[string]bool{"type": true, "text": true, "emoji": true})
		c.boolean(ptr+"/emoji", m["emoji"])
	case typ == "mrkdwn" && kinds == plainOrMrkdwn:
		c.unknown(ptr, m, map[string]bool{"type": true, "text": true, "verbatim": true})
		c.boolean(ptr+"/verbatim", m["verbatim"])
	case typ == "mrkdwn":
		c.add(ptr+"/type", "must be a valid enum value: plain_text")
		return
	default:
		c.add(ptr+"/type", "must be a valid enum value")
		return
	}
	c.str(ptr+"/text", m["text"], max, true)
}

// str checks an optional (or required) string of 1 to max characters.
func (c *kitCheck) str(ptr string, v any, max int, required bool) {
	if v == nil {
		if required {
			c.add(ptr, "must provide a string")
		}
		return
	}
	s, ok := v.(string)
	if !ok {
		c.add(ptr, "must be a string")
		return
	}
	n := utf8.RuneCountInString(s)
	switch {
	case required && n == 0:
		c.add(ptr, "must be more than 0 characters")
	case n > max:
		c.add(ptr, "must be less than %d characters", max+1)
	}
}

func (c *kitCheck) boolean(ptr string, v any) {
	if _, ok := v.(bool); v != nil && !ok {
		c.add(ptr, "must be a boolean")
	}
}

// unknown reports fields Slack's schema does not have: Slack refuses them.
func (c *kitCheck) unknown(ptr string, m map[string]any, known map[string]bool) {
	for k := range m {
		if !known[k] {
			c.add(ptr+"/"+k, "is not a known field")
		}
	}
}

// list checks an array of between lo and hi items and returns it.
func (c *kitCheck) list(ptr string, v any, lo, hi int) []any {
	if v == nil {
		if lo > 0 {
			c.add(ptr, "must provide an array")
		}
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		c.add(ptr, "must provide an array")
		return nil
	}
	if len(l) < lo {
		c.add(ptr, "must have at least %d items", lo)
	}
	if len(l) > hi {
		c.add(ptr, "no more than %d items allowed", hi)
	}
	return l
}

// Elements each block may hold.
var (
	sectionAccessories = set("button", "checkboxes", "datepicker", "image", "multi_static_select",
		"multi_users_select", "multi_conversations_select", "multi_channels_select", "multi_external_select",
		"overflow", "radio_buttons", "static_select", "users_select", "conversations_select",
		"channels_select", "external_select", "timepicker", "workflow_button")
	actionsElements = set("button", "checkboxes", "datepicker", "datetimepicker", "multi_static_select",
		"multi_users_select", "multi_conversations_select", "multi_channels_select", "multi_external_select",
		"overflow", "radio_buttons", "static_select", "users_select", "conversations_select",
		"channels_select", "external_select", "timepicker", "workflow_button", "rich_text_input")
	inputElements = set("checkboxes", "datepicker", "datetimepicker", "email_text_input", "file_input",
		"multi_static_select", "multi_users_select", "multi_conversations_select", "multi_channels_select",
		"multi_external_select", "number_input", "plain_text_input", "radio_buttons", "rich_text_input",
		"static_select", "users_select", "conversations_select", "channels_select", "external_select",
		"timepicker", "url_text_input")
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func (c *kitCheck) block(ptr string, m map[string]any) {
	typ, _ := m["type"].(string)
	c.str(ptr+"/block_id", m["block_id"], 255, false)
	fields := func(names ...string) map[string]bool { return set(append(names, "type", "block_id")...) }
	switch typ {
	case "section":
		c.unknown(ptr, m, fields("text", "fields", "accessory", "expand"))
		if m["text"] == nil && m["fields"] == nil {
			c.add(ptr, "must provide either text or fields")
		}
		c.text(ptr+"/text", m["text"], plainOrMrkdwn, 3000, false)
		for i, f := range c.list(ptr+"/fields", m["fields"], 0, 10) {
			c.text(ptr+"/fields/"+strconv.Itoa(i), f, plainOrMrkdwn, 2000, true)
		}
		if a := m["accessory"]; a != nil {
			c.element(ptr+"/accessory", a, sectionAccessories)
		}
		c.boolean(ptr+"/expand", m["expand"])
	case "header":
		c.unknown(ptr, m, fields("text"))
		c.text(ptr+"/text", m["text"], plainOnly, 150, true)
	case "divider":
		c.unknown(ptr, m, fields())
	case "context":
		c.unknown(ptr, m, fields("elements"))
		for i, e := range c.list(ptr+"/elements", m["elements"], 1, 10) {
			p := ptr + "/elements/" + strconv.Itoa(i)
			if em, ok := e.(map[string]any); ok && em["type"] == "image" {
				c.image(p, em, false)
				continue
			}
			c.text(p, e, plainOrMrkdwn, 3000, true)
		}
	case "actions":
		c.unknown(ptr, m, fields("elements"))
		ids := map[string]bool{}
		for i, e := range c.list(ptr+"/elements", m["elements"], 1, 25) {
			p := ptr + "/elements/" + strconv.Itoa(i)
			c.element(p, e, actionsElements)
			if em, ok := e.(map[string]any); ok {
				if id, ok := em["action_id"].(string); ok {
					if ids[id] {
						c.add(p+"/action_id", "must be unique within the block (duplicate %q)", id)
					}
					ids[id] = true
				}
			}
		}
	case "input":
		c.unknown(ptr, m, fields("label", "element", "hint", "optional", "dispatch_action"))
		c.text(ptr+"/label", m["label"], plainOnly, 2000, true)
		c.text(ptr+"/hint", m["hint"], plainOnly, 2000, false)
		c.boolean(ptr+"/optional", m["optional"])
		c.boolean(ptr+"/dispatch_action", m["dispatch_action"])
		if m["element"] == nil {
			c.add(ptr+"/element", "must provide an object")
		} else {
			c.element(ptr+"/element", m["element"], inputElements)
		}
	case "image":
		c.image(ptr, m, true)
	case "rich_text":
		c.unknown(ptr, m, fields("elements"))
		c.list(ptr+"/elements", m["elements"], 1, 1<<20)
	case "markdown":
		if c.surface != surfaceMessage {
			c.add(ptr+"/type", "markdown blocks are only allowed in messages")
		}
		c.unknown(ptr, m, fields("text"))
		c.str(ptr+"/text", m["text"], 12000, true)
	case "file":
		if c.surface != surfaceMessage {
			c.add(ptr+"/type", "file blocks are only allowed in messages")
		}
		c.unknown(ptr, m, fields("external_id", "source"))
		c.str(ptr+"/external_id", m["external_id"], 255, true)
	case "video":
		// Needs links:embed:write and unfurl domains; Kept sends none.
		c.add(ptr+"/type", "video blocks are not simulated")
	default:
		c.add(ptr, "failed to match all allowed schemas (unknown block type %q)", typ)
	}
}

// image checks an image block (block true) or image element.
func (c *kitCheck) image(ptr string, m map[string]any, block bool) {
	known := set("type", "image_url", "slack_file", "alt_text")
	if block {
		known["block_id"], known["title"] = true, true
		c.text(ptr+"/title", m["title"], plainOnly, 2000, false)
	}
	c.unknown(ptr, m, known)
	c.str(ptr+"/alt_text", m["alt_text"], 2000, true)
	if m["image_url"] == nil && m["slack_file"] == nil {
		c.add(ptr, "must provide image_url or slack_file")
	}
	c.str(ptr+"/image_url", m["image_url"], 3000, false)
}

var (
	isoDate  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	hourMins = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
)

// element checks an interactive element allowed in the given types.
func (c *kitCheck) element(ptr string, v any, allowed map[string]bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must provide an object")
		return
	}
	typ, _ := m["type"].(string)
	if !allowed[typ] {
		c.add(ptr+"/type", "must be a valid enum value (%q is not allowed here)", typ)
		return
	}
	if typ == "image" {
		c.image(ptr, m, false)
		return
	}
	c.str(ptr+"/action_id", m["action_id"], 255, false)
	known := set("type", "action_id", "confirm", "focus_on_load")
	c.confirm(ptr+"/confirm", m["confirm"])
	c.boolean(ptr+"/focus_on_load", m["focus_on_load"])
	placeholder := func() {
		known["placeholder"] = true
		c.text(ptr+"/placeholder", m["placeholder"], plainOnly, 150, false)
	}
	switch typ {
	case "button":
		for _, k := range []string{"text", "value", "url", "style", "accessibility_label"} {
			known[k] = true
		}
		c.text(ptr+"/text", m["text"], plainOnly, 75, true)
		c.str(ptr+"/value", m["value"], 2000, false)
		c.str(ptr+"/url", m["url"], 3000, false)
		c.str(ptr+"/accessibility_label", m["accessibility_label"], 75, false)
		if s := m["style"]; s != nil && s != "primary" && s != "danger" {
			c.add(ptr+"/style", "must be a valid enum value: primary, danger")
		}
	case "overflow":
		known["options"] = true
		for i, o := range c.list(ptr+"/options", m["options"], 1, 5) {
			c.option(ptr+"/options/"+strconv.Itoa(i), o, plainOnly, true)
		}
	case "static_select", "multi_static_select":
		for _, k := range []string{"options", "option_groups", "initial_option", "initial_options", "max_selected_items"} {
			known[k] = true
		}
		placeholder()
		switch {
		case m["options"] != nil && m["option_groups"] != nil:
			c.add(ptr, "must provide options or option_groups, not both")
		case m["options"] == nil && m["option_groups"] == nil:
			c.add(ptr+"/options", "must provide an array")
		}
		for i, o := range c.list(ptr+"/options", m["options"], 0, 100) {
			c.option(ptr+"/options/"+strconv.Itoa(i), o, plainOnly, false)
		}
		for i, g := range c.list(ptr+"/option_groups", m["option_groups"], 0, 100) {
			gp := ptr + "/option_groups/" + strconv.Itoa(i)
			gm, ok := g.(map[string]any)
			if !ok {
				c.add(gp, "must provide an object")
				continue
			}
			c.unknown(gp, gm, set("label", "options"))
			c.text(gp+"/label", gm["label"], plainOnly, 75, true)
			for j, o := range c.list(gp+"/options", gm["options"], 1, 100) {
				c.option(gp+"/options/"+strconv.Itoa(j), o, plainOnly, false)
			}
		}
		if io := m["initial_option"]; io != nil {
			c.option(ptr+"/initial_option", io, plainOnly, false)
			if !optionAmong(io, m["options"], m["option_groups"]) {
				c.add(ptr+"/initial_option", "must match one of the options")
			}
		}
		c.maxSelected(ptr, m)
	case "users_select", "conversations_select", "channels_select", "external_select",
		"multi_users_select", "multi_conversations_select", "multi_channels_select", "multi_external_select":
		for _, k := range []string{"initial_user", "initial_users", "initial_conversation", "initial_conversations",
			"initial_channel", "initial_channels", "initial_option", "initial_options", "min_query_length",
			"max_selected_items", "default_to_current_conversation", "response_url_enabled", "filter"} {
			known[k] = true
		}
		placeholder()
		c.maxSelected(ptr, m)
	case "radio_buttons", "checkboxes":
		known["options"], known["initial_option"], known["initial_options"] = true, true, true
		for i, o := range c.list(ptr+"/options", m["options"], 1, 10) {
			c.option(ptr+"/options/"+strconv.Itoa(i), o, plainOrMrkdwn, false)
		}
	case "datepicker":
		known["initial_date"] = true
		placeholder()
		if d := m["initial_date"]; d != nil {
			s, _ := d.(string)
			if _, err := time.Parse("2006-01-02", s); err != nil || !isoDate.MatchString(s) {
				c.add(ptr+"/initial_date", "must be a date in the format YYYY-MM-DD")
			}
		}
	case "timepicker":
		known["initial_time"], known["timezone"] = true, true
		placeholder()
		if t := m["initial_time"]; t != nil {
			if s, _ := t.(string); !hourMins.MatchString(s) {
				c.add(ptr+"/initial_time", "must be a time in the format HH:mm")
			}
		}
		if z := m["timezone"]; z != nil {
			if s, _ := z.(string); s == "" || loadZone(s) != nil {
				c.add(ptr+"/timezone", "must be an IANA time zone name")
			}
		}
	case "datetimepicker":
		known["initial_date_time"] = true
		if v := m["initial_date_time"]; v != nil {
			if f, ok := v.(float64); !ok || f < 0 || f != float64(int64(f)) {
				c.add(ptr+"/initial_date_time", "must be a UNIX timestamp in seconds")
			}
		}
	case "plain_text_input":
		for _, k := range []string{"initial_value", "multiline", "min_length", "max_length", "dispatch_action_config"} {
			known[k] = true
		}
		placeholder()
		c.boolean(ptr+"/multiline", m["multiline"])
		lo, hi := -1.0, -1.0
		if v, ok := m["min_length"].(float64); ok {
			lo = v
			if v < 0 || v > 3000 {
				c.add(ptr+"/min_length", "must be between 0 and 3000")
			}
		}
		if v, ok := m["max_length"].(float64); ok {
			hi = v
			if v < 1 || v > 3000 {
				c.add(ptr+"/max_length", "must be between 1 and 3000")
			}
		}
		if lo >= 0 && hi >= 0 && lo > hi {
			c.add(ptr+"/min_length", "must not be greater than max_length")
		}
		if iv, ok := m["initial_value"].(string); ok && hi >= 0 && float64(utf8.RuneCountInString(iv)) > hi {
			c.add(ptr+"/initial_value", "must be less than %d characters", int(hi)+1)
		}
	case "number_input":
		for _, k := range []string{"is_decimal_allowed", "initial_value", "min_value", "max_value", "dispatch_action_config"} {
			known[k] = true
		}
		placeholder()
		if _, ok := m["is_decimal_allowed"].(bool); !ok {
			c.add(ptr+"/is_decimal_allowed", "must provide a boolean")
		}
	case "email_text_input", "url_text_input":
		known["initial_value"], known["dispatch_action_config"] = true, true
		placeholder()
	case "rich_text_input":
		known["initial_value"], known["dispatch_action_config"] = true, true
		placeholder()
	case "file_input":
		known["filetypes"], known["max_files"] = true, true
	case "workflow_button":
		known["text"], known["workflow"], known["style"], known["accessibility_label"] = true, true, true, true
		c.text(ptr+"/text", m["text"], plainOnly, 75, true)
	}
	c.unknown(ptr, m, known)
}

// maxSelected checks a multi-select's max_selected_items: at least 1.
func (c *kitCheck) maxSelected(ptr string, m map[string]any) {
	v, ok := m["max_selected_items"]
	if !ok {
		return
	}
	if f, isNum := v.(float64); !isNum || f < 1 || f != float64(int64(f)) {
		c.add(ptr+"/max_selected_items", "must be an integer of at least 1")
	}
}

// optionAmong says whether option o is, exactly (text and value), one of
// options or of the options of option_groups, as an initial_option must be.
func optionAmong(o, options, groups any) bool {
	want, _ := json.Marshal(o)
	match := func(list any) bool {
		l, _ := list.([]any)
		for _, x := range l {
			if got, _ := json.Marshal(x); string(got) == string(want) {
				return true
			}
		}
		return false
	}
	if match(options) {
		return true
	}
	gs, _ := groups.([]any)
	for _, g := range gs {
		if gm, ok := g.(map[string]any); ok && match(gm["options"]) {
			return true
		}
	}
	return false
}

// option checks an option object; url only in overflow menus.
func (c *kitCheck) option(ptr string, v any, kinds int, withURL bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must provide an object")
		return
	}
	known := set("text", "value", "description")
	if withURL {
		known["url"] = true
		c.str(ptr+"/url", m["url"], 3000, false)
	}
	c.unknown(ptr, m, known)
	c.text(ptr+"/text", m["text"], kinds, 75, true)
	c.str(ptr+"/value", m["value"], 150, true)
	c.text(ptr+"/description", m["description"], kinds, 75, false)
}

// confirm checks a confirmation dialog object.
func (c *kitCheck) confirm(ptr string, v any) {
	if v == nil {
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must provide an object")
		return
	}
	c.unknown(ptr, m, set("title", "text", "confirm", "deny", "style"))
	c.text(ptr+"/title", m["title"], plainOnly, 100, true)
	c.text(ptr+"/text", m["text"], plainOrMrkdwn, 300, true)
	c.text(ptr+"/confirm", m["confirm"], plainOnly, 30, true)
	c.text(ptr+"/deny", m["deny"], plainOnly, 30, true)
	if s := m["style"]; s != nil && s != "primary" && s != "danger" {
		c.add(ptr+"/style", "must be a valid enum value: primary, danger")
	}
}

func loadZone(name string) error {
	_, err := time.LoadLocation(name)
	return err
}
