package inbound

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/cadence"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/zones"
)

// Customers: `/customer add|list|edit|remove|help` and `/customer NAME`,
// and `/touch NAME what happened`. Check-in prompts are in checkin.go.

const (
	// maxName bounds a customer name, as the model does on every path.
	maxName = model.MaxName

	// Defaults when the config leaves them zero.
	defaultKeyCadence      = 14 * 24 * time.Hour
	defaultStandardCadence = 45 * 24 * time.Hour

	usageCustomer = "Try `/customer add Acme every 14d tier key owner @ann`, `/customer Acme`, `/customer list` or `/customer help`."
	usageTouch    = "Try `/touch Acme called just to talk; they open an office in Lyon`."
	usageCadence  = cadence.Usage
)

// customerArgs is a parsed `/customer` command.
type customerArgs struct {
	verb       string // add, show, list, edit, remove or help
	name       string
	cadence    time.Duration
	setCadence bool
	tier       store.Tier
	owner      string // user id
	notes      string
	setNotes   bool
	list       slackui.CustomerQuery // list: which health, in which order
	channels   []string              // channel ids to link (`channel #acme-shared`)
	dates      []dateEdit            // dates set or removed (dates.go)
	// form: `/customer add` or `/customer edit Acme` with nothing else
	// opens the customer form (customerform.go).
	form bool
}

// optionWords end a customer name in `add` and `edit`.
var optionWords = map[string]bool{"every": true, "never": true, "tier": true, "owner": true, "notes": true, "note": true, "channel": true, "channels": true}

// parseCustomerArgs reads the text of `/customer`. Its errors are refusals:
// they say what was wrong and show the right form.
func parseCustomerArgs(text string) (customerArgs, error) {
	text = strings.TrimSpace(text)
	first, rest, _ := strings.Cut(text, " ")
	// The verbs and their aliases are the route table's; digest has its
	// own words and never comes here.
	c, _ := commandNamed("/customer")
	v, ok := lookup(c.verbs, first)
	verb := v.name
	if !ok || v.sub != nil {
		verb, rest = "show", text
	}
	a := customerArgs{verb: verb}
	if text == "" {
		a.verb = "help"
		return a, nil
	}
	switch verb {
	case "help":
		return a, nil
	case "list":
		q, ok := slackui.ParseCustomerQuery(rest)
		if !ok {
			return a, invalid(fmt.Sprintf("I can list customers by health: `/customer list by health`, or only one, as in `/customer list neglected` (or `going quiet`, `due soon`, `on track`). “%s” is none of those.", slackui.Escape(strings.TrimSpace(rest))))
		}
		a.list = q
		return a, nil
	case "show", "remove":
		name, tail := cutName(rest, false)
		if strings.TrimSpace(tail) != "" {
			return a, invalid(fmt.Sprintf("I didn't understand “%s” after the name. Put a name with spaces in quotes, like `/customer %s \"Acme Corp\"`.", slackui.Escape(strings.TrimSpace(tail)), verb))
		}
		a.name = name
		return a, checkName(a.name, "`/customer "+verb+" Acme`")
	}
	if verb == "add" && strings.TrimSpace(rest) == "" {
		a.form = true
		return a, nil
	}
	name, tail := cutName(rest, true)
	r, _ := utf8.DecodeRuneInString(strings.TrimSpace(rest))
	if first, _, _ := strings.Cut(name, " "); (optionWords[strings.ToLower(first)] || dateWords[strings.ToLower(first)] != "") && !strings.EqualFold(first, "never") && quotes[r] == 0 {
		// "add every 14d" names no one; "add Tier One" needs quotes.
		return a, invalid(fmt.Sprintf("Which customer? A name that starts with “%s” needs quotes: `/customer %s \"%s\" …`.", slackui.Escape(first), verb, slackui.Escape(name)))
	}
	a.name = name
	example := "`/customer add Acme every 14d tier key owner @ann`"
	if verb == "edit" {
		example = "`/customer edit Acme every 30d`"
	}
	if err := checkName(a.name, example); err != nil {
		return a, err
	}
	words := strings.Fields(tail)
	// An option given twice ("every 14d every 3d", "tier key tier
	// standard", "never every 14d") says two things: refused, rather
	// than the last one silently winning.
	given := map[string]string{}
	twice := func(option, as string) error {
		if prev, ok := given[option]; ok {
			return invalid(fmt.Sprintf("You gave the %s twice (“%s” and “%s”), so I changed nothing; give it once, as in %s.", option, slackui.Text(prev), slackui.Text(as), example))
		}
		given[option] = as
		return nil
	}
	at, err := func() (int, error) {
		for i := 0; i < len(words); i++ {
			w := strings.ToLower(words[i])
			next := ""
			if i+1 < len(words) {
				next = words[i+1]
			}
			switch w {
			case "never", "every":
				as := words[i]
				if w == "every" {
					as += " " + next
					if _, err := strconv.Atoi(next); err == nil && i+2 < len(words) {
						as += " " + words[i+2] // "every 2 weeks"
					}
				}
				if err := twice("cadence", strings.TrimSpace(as)); err != nil {
					return i, err
				}
			case "tier", "owner":
				if err := twice(w, strings.TrimSpace(words[i]+" "+next)); err != nil {
					return i, err
				}
			}
			if dateWords[w] != "" {
				e, used, err := readDateOption(words, i)
				if err != nil {
					return i, err
				}
				a.dates = append(a.dates, e)
				i += used
				continue
			}
			switch w {
			case "never":
				a.cadence, a.setCadence = 0, true
			case "every":
				phrase := "every " + next
				used := 1
				if _, err := strconv.Atoi(next); err == nil && i+2 < len(words) {
					phrase += " " + words[i+2]
					used = 2
				}
				d, err := parseCadence(phrase)
				if err != nil {
					return i, err
				}
				a.cadence, a.setCadence = d, true
				i += used
			case "tier":
				switch strings.ToLower(next) {
				case "key":
					a.tier = store.KeyTier
				case "standard", "std":
					a.tier = store.StandardTier
				default:
					return i, invalid("The tier is `key` or `standard`, as in `tier key`.")
				}
				i++
			case "owner":
				m := mention.FindStringSubmatch(next)
				if m == nil || len(m[0]) != len(next) {
					return i, invalid("Name the owner with an @-mention, as in `owner @ann`.")
				}
				a.owner = m[1]
				i++
			case "notes", "note":
				a.notes, a.setNotes = strings.Join(words[i+1:], " "), true
				if n := utf8.RuneCountInString(a.notes); n > slackui.MaxText {
					return i, invalid(fmt.Sprintf("Those notes are %d characters long; please keep them under %d.", n, slackui.MaxText))
				}
				i = len(words)
			case "channel", "channels":
				n := 0
				for ; i+1+n < len(words) && channelMention.MatchString(words[i+1+n]); n++ {
					a.channels = append(a.channels, channelMention.FindStringSubmatch(words[i+1+n])[1])
				}
				if n == 0 {
					return i, invalid(fmt.Sprintf("Name the channel with a #, as in `/customer %s %s channel #acme-shared` (several: `channels #acme-shared #acme-support`).", verb, slackui.Escape(a.name)))
				}
				i += n
			default:
				return i, invalid(fmt.Sprintf("I didn't understand “%s”. %s Use `every …`, `tier key|standard`, `owner @someone`, `channel #…`, `notes …` and dates: %s; put a name with spaces in quotes if it contains one of those words.", slackui.Escape(words[i]), example, usageDates))
			}
		}
		return 0, nil
	}()
	if err != nil {
		if first, _ := utf8.DecodeRuneInString(words[at]); quotes[r] == 0 && at == 0 && unicode.IsUpper(first) {
			// The name was cut at a word that may be part of it, as its
			// capital says: "Acme Contract Services", "Big Date Co".
			guess := name + " " + strings.Join(nameWords(words), " ")
			err = invalid(fmt.Sprintf("%s If “%s” is the customer's name, put it in quotes: `/customer %s \"%s\" …`.", err.Error(), slackui.Escape(guess), verb, slackui.Escape(guess)))
		}
		return a, err
	}
	if verb == "edit" && !a.setCadence && a.tier == "" && a.owner == "" && !a.setNotes && len(a.channels) == 0 && len(a.dates) == 0 {
		a.form = true // nothing to change in the text: the form asks
	}
	return a, nil
}

// nameWords is the leading words of words that could still be a name's:
// its first, and those after it up to the next option or date word.
func nameWords(words []string) []string {
	n := 1
	for n < len(words) && !optionWords[strings.ToLower(words[n])] && dateWords[strings.ToLower(words[n])] == "" {
		n++
	}
	return words[:min(n, len(words))]
}

// quotes open and close a name with spaces or option words in it.
var quotes = map[rune]rune{'"': '"', '“': '”', '«': '»', '\'': '\''}

// cutName takes the customer name off the front of s: a quoted string, or
// (with options) the words up to the first option word after the first
// word, or else all of s.
func cutName(s string, options bool) (name, rest string) {
	s = strings.TrimSpace(s)
	if r, size := utf8.DecodeRuneInString(s); size > 0 {
		if closing, ok := quotes[r]; ok {
			if end := strings.IndexRune(s[size:], closing); end >= 0 {
				return strings.TrimSpace(s[size : size+end]), s[size+end+utf8.RuneLen(closing):]
			}
		}
	}
	if !options {
		return s, ""
	}
	words := strings.Fields(s)
	for i := 1; i < len(words); i++ {
		if w := strings.ToLower(words[i]); optionWords[w] || dateWords[w] != "" {
			return strings.Join(words[:i], " "), strings.Join(words[i:], " ")
		}
	}
	return strings.Join(words, " "), ""
}

// checkName refuses a name that could not be shown or matched well.
func checkName(name, example string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case store.CustomerKey(name) == "":
		return invalid("Which customer? For example " + example + ".")
	case n > maxName:
		return invalid(fmt.Sprintf("That name is %d characters long; a customer name can be at most %d. Use a short name and put the rest in `notes …`.", n, maxName))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return invalid("A customer name can't contain control characters. " + example)
	}
	return nil
}

// parseCadence reads a cadence phrase (cadence.Parse) with its refusal
// made safe to show.
func parseCadence(phrase string) (time.Duration, error) {
	d, err := cadence.Parse(phrase)
	if err != nil {
		return 0, invalid(slackui.Escape(err.Error()))
	}
	return d, nil
}

func (b *Bot) tierCadence(t store.Tier) time.Duration {
	if t == store.KeyTier {
		return cmp.Or(b.cfg.KeyCadence, defaultKeyCadence)
	}
	return cmp.Or(b.cfg.StandardCadence, defaultStandardCadence)
}

// customerVerb is `/customer add|show|list|edit|remove …` and
// `/customer NAME`: parseCustomerArgs reads the whole text.
func (b *Bot) customerVerb(c call) (any, error) {
	ctx, op, cmd := c.ctx, c.op, c.cmd
	a, err := parseCustomerArgs(cmd.Text)
	if err != nil {
		return nil, err
	}
	if a.form {
		return b.customerForm(c, a) // customerform.go
	}
	switch a.verb {
	case "list":
		return b.listCustomers(ctx, cmd, a.list)
	case "show":
		return b.showCustomer(ctx, cmd.TeamID, cmd.UserID, a.name)
	case "add":
		return b.addCustomer(ctx, op, cmd, a)
	case "edit":
		return b.editCustomer(ctx, op, cmd, a)
	case "remove":
		return b.confirmRemove(cmd, a.name)
	}
	return helpVerb("/customer")(b, c)
}

// ownerOK checks that owner is an active user of team, as a promise's
// owner is, and on our side: a customer's owner reads its notes, its
// check-in prompts and what waits on us, which a guest or someone from
// another organisation (the customer's own people in a shared channel)
// must not, as they may not read the digest. Each refusal is of its own
// kind (not found, a bot, an outsider), which ownerFormError words for
// the form.
func (b *Bot) ownerOK(ctx context.Context, team, owner string) error {
	var gone zones.NoSuchUserError
	_, err := b.zones.Zone(ctx, owner)
	switch {
	case errors.As(err, &gone):
		return notFound(fmt.Sprintf("I can't find an active Slack user %s to own it. Name someone who is in this workspace.", slackui.MentionUser(owner)))
	case err != nil:
		return nil // Slack could not be asked: taken for a person on our side, as a bot or a guest cannot be told apart
	}
	if err := b.notABot(ctx, owner, "own a customer"); err != nil {
		return err
	}
	if out, err := b.zones.Outsider(ctx, owner, team); err == nil && out {
		return forbidden(fmt.Sprintf("%s is a guest or from another organisation, so they can't own a customer: its owner reads its notes and what waits on us. Name someone on our team.", slackui.MentionUser(owner)))
	}
	return nil
}

// ownerFormError words ownerOK's refusal for the form's owner field,
// next to the person just picked: a form's error is plain text, where a
// mention would show as its markup.
func ownerFormError(err error) string {
	r, ok := asRefusal(err)
	switch {
	case !ok:
		return "Sorry, I could not check this. Please try again in a minute."
	case r.code == refusedNotFound:
		return "That person is not an active member of this workspace."
	case r.code == refusedForbidden:
		return "They're a guest or from another organisation, so they can't own a customer: its owner reads its notes and what waits on us. Pick someone on our team."
	case r.code == refusedInvalid:
		return "That's a bot, and only a person can own a customer. Pick someone on your team."
	}
	return "Pick someone on your team."
}

func notFoundCustomer(name string) error {
	return notFound(fmt.Sprintf("I don't know a customer called *%s*. `/customer list` shows them all; `/customer add %s` adds it.", slackui.Escape(name), slackui.Escape(name)))
}

// verbForms are the right form of each verb that names a customer, NAME
// standing for its name, for unknownCustomer.
var verbForms = map[string]string{
	"show":   "`/customer NAME` shows its card; `/customer edit NAME every 30d` changes it.",
	"edit":   "`/customer edit NAME` takes `every 30d`, `tier key`, `owner @bob`, `channel #acme-shared`, `notes …` or a date (`renewal 2027-03-01`), and alone opens its form. Nothing changed.",
	"remove": "`/customer remove NAME` takes the name alone. Nothing changed.",
	"link":   "`/customer link NAME #acme-shared` takes a channel Slack knows (pick it from the list as you type #), or none when you run it in the channel. Nothing changed.",
}

// unknownCustomer refuses name, which no customer has, for `/customer
// verb`. Names may hold spaces, so the whole text was tried as one; when
// a known customer's name is its leading words ("Acme junk"), the rest is
// what was not understood, and the refusal says so with verb's right
// form rather than asking to add "Acme junk".
func (b *Bot) unknownCustomer(team, verb, name string) error {
	words := strings.Fields(name)
	if c, i, ok := b.leadingCustomer(team, words, len(words)-1); ok {
		n := slackui.Escape(c.Name)
		return invalid(fmt.Sprintf("I know *%s*, but not “%s”: %s", n, slackui.Escape(strings.Join(words[i:], " ")), strings.ReplaceAll(verbForms[verb], "NAME", n)))
	}
	return notFoundCustomer(name)
}

// leadingCustomer is the known customer named by the most of words'
// first words (at most most of them, a colon or comma after the name
// left out), and how many words it took.
func (b *Bot) leadingCustomer(team string, words []string, most int) (store.Customer, int, bool) {
	for n := min(most, len(words)); n > 0; n-- {
		if c, err := b.store.Customer(team, strings.TrimRight(strings.Join(words[:n], " "), ":,")); err == nil {
			return c, n, true
		}
	}
	return store.Customer{}, 0, false
}

// customerFor is lookupCustomer for `/customer verb`, its refusal of an
// unknown name unknownCustomer's.
func (b *Bot) customerFor(team, verb, name string) (store.Customer, error) {
	c, err := b.lookupCustomer(team, name)
	if r := (refusal{}); errors.As(err, &r) && r.code == refusedNotFound {
		return c, b.unknownCustomer(team, verb, name)
	}
	return c, err
}

func (b *Bot) addCustomer(ctx context.Context, op string, cmd slack.SlashCommand, a customerArgs) (any, error) {
	c := store.Customer{Team: cmd.TeamID, Name: a.name, Owner: cmp.Or(a.owner, cmd.UserID), Tier: cmp.Or(a.tier, store.StandardTier), Notes: a.notes}
	c.Cadence = b.tierCadence(c.Tier)
	if a.setCadence {
		c.Cadence = a.cadence
	}
	if err := applyDates(&c, a.dates, b.cfg.Now()); err != nil {
		return nil, err
	}
	if err := b.ownerOK(ctx, cmd.TeamID, c.Owner); err != nil {
		return nil, err
	}
	if err := b.checkChannels(ctx, cmd.TeamID, "", a.channels, false); err != nil {
		return nil, err
	}
	if err := b.notALookalike(cmd.TeamID, c.Name); err != nil {
		return nil, err
	}
	c, err := b.store.AddCustomer(op, c)
	switch {
	case errors.Is(err, store.ErrExists):
		return nil, conflict(fmt.Sprintf("There is already a customer called *%s* (names match whatever the case). See it with `/customer %s`, or change it with `/customer edit %s …`.", slackui.Escape(c.Name), slackui.Escape(c.Name), slackui.Escape(c.Name)))
	case err != nil && !errors.Is(err, store.ErrDuplicate):
		if r := modelRefusal(err); r != err {
			return nil, r
		}
		return nil, fmt.Errorf("inbound: add customer: %w", err)
	}
	if err := b.setChannels(cmd.TeamID, cmd.UserID, c.Name, a.channels, nil); err != nil {
		return nil, err
	}
	loc := b.zoneOr(ctx, cmd.UserID)
	owner := slackui.Person(c.Owner, cmd.UserID)
	text := fmt.Sprintf("Added *%s*: %s, %s, owned by %s.", slackui.Escape(c.Name), c.Tier, slackui.CadenceText(c.Cadence), owner) + channelsText(a.channels)
	if c.Cadence > 0 {
		text += fmt.Sprintf(" If nobody logs a touch before %s, I'll prompt %s to check in. Log one with `/touch %s …`.", slackui.Day(c.CheckinDue(), b.cfg.Now(), loc), owner, slackui.Escape(c.Name))
	}
	if len(a.dates) > 0 {
		text += " " + datesText(c, cmd.UserID, a.dates, b.cfg.Dates.OrDefault(), b.cfg.WorkHours.OrDefault(), b.zoneOr(ctx, c.Owner), b.cfg.Now())
	}
	b.later(ctx, func(ctx context.Context) { b.refreshHome(ctx, c.Team, c.Owner) })
	return ephemeral(text, slackui.Section(text)), nil
}

// notALookalike refuses a new customer whose name would pass for one
// already there, written in other characters that look the same
// (model.LookalikeKey): full-width letters, an invisible character, an
// accent typed apart. Two such customers could not be told apart in any
// list, and a touch would be logged with either. A name that matches
// whatever the case is the store's to refuse (ErrExists). It reads the
// team's customers, once per customer added.
func (b *Bot) notALookalike(team, name string) error {
	cs, err := b.store.Customers(team)
	if err != nil {
		return fmt.Errorf("inbound: customers: %w", err)
	}
	if c, ok := model.LookalikeOf(name, cs); ok {
		return conflict(fmt.Sprintf("There is already a customer called *%s*, which looks the same as “%s” though it is written with other characters. See it with `/customer %s`, or change it with `/customer edit %s …`.", slackui.Escape(c.Name), slackui.Escape(name), slackui.Escape(c.Name), slackui.Escape(c.Name)))
	}
	return nil
}

func (b *Bot) editCustomer(ctx context.Context, op string, cmd slack.SlashCommand, a customerArgs) (any, error) {
	if a.owner != "" {
		if err := b.ownerOK(ctx, cmd.TeamID, a.owner); err != nil {
			return nil, err
		}
	}
	if len(a.channels) > 0 {
		// Who may change it first, then the channels: before any write.
		c, err := b.customerFor(cmd.TeamID, "edit", a.name)
		if err != nil {
			return nil, err
		}
		if err := b.mayChangeCustomer(cmd.UserID, c); err != nil {
			return nil, err
		}
		if err := b.checkChannels(ctx, cmd.TeamID, c.Name, a.channels, false); err != nil {
			return nil, err
		}
	}
	var before store.Customer
	now := b.cfg.Now()
	c, err := b.updateCustomer(op, cmd.TeamID, a.name, cmd.UserID, now, func(c *store.Customer) error {
		if err := b.mayChangeCustomer(cmd.UserID, *c); err != nil {
			return err
		}
		before = *c
		if a.tier != "" && a.tier != c.Tier && !a.setCadence && c.Cadence == b.tierCadence(c.Tier) {
			// The cadence was the old tier's default: follow the new one.
			c.Cadence = b.tierCadence(a.tier)
		}
		c.Tier = cmp.Or(a.tier, c.Tier)
		c.Owner = cmp.Or(a.owner, c.Owner)
		if a.setCadence {
			c.Cadence = a.cadence
		}
		if a.setNotes {
			c.Notes = a.notes
		}
		return applyDates(c, a.dates, now)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, b.unknownCustomer(cmd.TeamID, "edit", a.name)
	case err != nil && !errors.Is(err, store.ErrDuplicate):
		return nil, fmt.Errorf("inbound: edit customer: %w", err)
	}
	if err := b.setChannels(cmd.TeamID, cmd.UserID, c.Name, a.channels, nil); err != nil {
		return nil, err
	}
	loc := b.zoneOr(ctx, cmd.UserID)
	text := fmt.Sprintf("Updated *%s*: %s, %s, owned by %s.", slackui.Escape(c.Name), c.Tier, slackui.CadenceText(c.Cadence), slackui.Person(c.Owner, cmd.UserID)) + channelsText(a.channels)
	if c.Cadence > 0 {
		text += " Now: " + slackui.TouchState(c, loc, b.cfg.Now()) + "."
	}
	if len(a.dates) > 0 {
		text += " " + datesText(c, cmd.UserID, a.dates, b.cfg.Dates.OrDefault(), b.cfg.WorkHours.OrDefault(), b.zoneOr(ctx, c.Owner), b.cfg.Now())
	}
	b.later(ctx, func(ctx context.Context) {
		b.refreshHome(ctx, c.Team, c.Owner)
		if before.Owner != "" && before.Owner != c.Owner {
			b.refreshHome(ctx, c.Team, before.Owner)
		}
	})
	return ephemeral(text, slackui.Section(text)), nil
}

// updateCustomer is store.UpdateCustomer in a unit of work that also
// queues the notice to a new owner (model.HandoverNotice), so a customer
// handed over is told of once, with the change or not at all. A
// redelivered envelope returns the customer as it is, with
// store.ErrDuplicate.
func (b *Bot) updateCustomer(op, team, name, by string, now time.Time, fn func(*store.Customer) error) (store.Customer, error) {
	var c store.Customer
	err := b.store.Update(op, func(tx store.Tx) (err error) {
		var before store.Customer
		c, err = tx.UpdateCustomer(team, name, func(c *store.Customer) error {
			before = *c
			return fn(c)
		})
		if err != nil {
			return err
		}
		if n, ok := model.HandoverNotice(before, c, by, now); ok {
			_, err = tx.AddNudge(n)
		}
		return err
	})
	if errors.Is(err, store.ErrDuplicate) {
		if cur, gerr := b.store.Customer(team, name); gerr == nil {
			return cur, err
		}
	}
	return c, err
}

func (b *Bot) showCustomer(ctx context.Context, team, user, name string) (any, error) {
	c, err := b.store.Customer(team, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, b.unknownCustomer(team, "show", name)
	}
	if err != nil {
		return nil, fmt.Errorf("inbound: customer: %w", err)
	}
	open, err := b.customerPromises(team, c)
	if err != nil {
		return nil, err
	}
	touches, err := b.store.Touches(team, c.Name, 3)
	if err != nil {
		return nil, fmt.Errorf("inbound: touches: %w", err)
	}
	heard, err := b.listen.LastHeard(team, c.Name)
	if err != nil {
		return nil, fmt.Errorf("inbound: last heard: %w", err)
	}
	health, why := c.HealthOf(model.HealthFacts{LastHeard: heard.At, Promises: open}, b.cfg.Zone, b.cfg.Now())
	loc := b.zoneOr(ctx, user)
	fallback, blocks := slackui.CustomerCard(c, health, why, open, touches, loc, b.cfg.Now())
	blocks = append(blocks, b.channelLines(team, c, loc)...) // listen.go
	return ephemeral(fallback, blocks...), nil
}

// customerPromises are the open promises that name c.
func (b *Bot) customerPromises(team string, c store.Customer) ([]store.Promise, error) {
	open, err := b.store.PromisesFor(team, c.Name)
	if err != nil {
		return nil, fmt.Errorf("inbound: promises of %s: %w", c.Name, err)
	}
	return open, nil
}

func (b *Bot) listCustomers(ctx context.Context, cmd slack.SlashCommand, q slackui.CustomerQuery) (any, error) {
	cs, err := b.store.Customers(cmd.TeamID)
	if err != nil {
		return nil, fmt.Errorf("inbound: list customers: %w", err)
	}
	health, err := b.teamHealth(cmd.TeamID, cs)
	if err != nil {
		return nil, err
	}
	loc := b.zoneOr(ctx, cmd.UserID)
	fallback, blocks := slackui.CustomerList(cs, health, q, loc, b.cfg.Now())
	if q.Health != "" {
		cs = slices.DeleteFunc(cs, func(c store.Customer) bool { return health[c.Key()].Health != q.Health })
	}
	blocks = append(blocks, b.listenSummary(cmd.TeamID, cs, loc)...) // listen.go
	return ephemeral(fallback, blocks...), nil
}

// teamHealth is the health of each of team's customers cs, by key: one
// rule (model.Customer.HealthOf), read in the workspace's zone so that
// every reader sees the same. A customer's dates that matter are read by
// the rule from the customer itself.
func (b *Bot) teamHealth(team string, cs []store.Customer) (map[string]model.Standing, error) {
	open, err := b.store.Promises(team, "", store.Open)
	if err != nil {
		return nil, fmt.Errorf("inbound: health: %w", err)
	}
	heard, err := b.store.TeamHeard(team)
	if err != nil {
		return nil, fmt.Errorf("inbound: health: %w", err)
	}
	at := make(map[string]time.Time, len(heard))
	for k, h := range heard {
		at[k] = h.At
	}
	return model.TeamHealth(cs, at, open, b.cfg.Zone, b.cfg.Now()), nil
}

// confirmRemove asks before removing: a removed customer's touches go too.
func (b *Bot) confirmRemove(cmd slack.SlashCommand, name string) (any, error) {
	c, err := b.store.Customer(cmd.TeamID, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, b.unknownCustomer(cmd.TeamID, "remove", name)
	}
	if err != nil {
		return nil, fmt.Errorf("inbound: customer: %w", err)
	}
	if err := b.mayChangeCustomer(cmd.UserID, c); err != nil {
		return nil, err
	}
	text, blocks := slackui.ConfirmRemove(c)
	return ephemeral(text, blocks...), nil
}

// mayChangeCustomer lets a customer's owner or an admin edit or remove it:
// its touches are the team's memory of the relationship.
func (b *Bot) mayChangeCustomer(user string, c store.Customer) error {
	if user == c.Owner || b.isAdmin(user) {
		return nil
	}
	return forbidden(fmt.Sprintf("Only %s, who owns *%s*, or an admin can change or remove it. Ask them, or log a touch with `/touch %s …`.", slackui.MentionUser(c.Owner), slackui.Escape(c.Name), slackui.Escape(c.Name)))
}

// removeClicked answers the confirmation's buttons by replacing it.
func (b *Bot) removeClicked(k click) error {
	ctx, op, cb, a := k.ctx, k.op, k.cb, k.a
	var text string
	if a.ActionID == slackui.ActionCustomerKeep {
		text = "OK, nothing removed."
	} else {
		c, err := b.store.Customer(cb.Team.ID, a.Value)
		if err == nil {
			err = b.mayChangeCustomer(cb.User.ID, c)
		}
		if err == nil {
			err = b.store.RemoveCustomer(op, cb.Team.ID, a.Value)
		}
		var refused refusal
		switch {
		case errors.As(err, &refused):
			text = refused.text
		case err == nil, errors.Is(err, store.ErrDuplicate):
			text = fmt.Sprintf("Removed *%s*. Its promises keep their text.", slackui.Escape(c.Name))
			b.later(ctx, func(ctx context.Context) { b.refreshHome(ctx, c.Team, c.Owner) })
		case errors.Is(err, store.ErrNotFound):
			text = "That customer was already removed."
		default:
			b.cfg.Log.Error("remove customer", "err", err)
			text = msgInternal
		}
	}
	b.later(ctx, func(ctx context.Context) { b.respond(ctx, cb, text) })
	return nil
}

// respond replaces the message a click came from through its response_url,
// which also works for ephemeral messages, where chat.update does not.
func (b *Bot) respond(ctx context.Context, cb slack.InteractionCallback, text string) {
	if cb.ResponseURL == "" {
		b.tell(ctx, cb, invalid(text))
		return
	}
	msg := &slack.WebhookMessage{Text: text, ReplaceOriginal: true, Blocks: &slack.Blocks{BlockSet: []slack.Block{slackui.Section(text)}}}
	if err := postResponse(ctx, cb.ResponseURL, msg); err != nil {
		b.cfg.Log.Error("respond through response_url", "err", err)
	}
}

// postResponse posts msg to a response_url. A response_url is a
// credential (anyone holding it may post into the conversation for half an
// hour), so the error never carries it: net/http puts the URL in every
// error it returns, and that error would go to the logs.
func postResponse(ctx context.Context, responseURL string, msg *slack.WebhookMessage) error {
	err := slack.PostWebhookContext(ctx, responseURL, msg)
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("post to the response_url: %s: %w", ue.Op, ue.Err)
	}
	if responseURL != "" && strings.Contains(err.Error(), responseURL) {
		return errors.New("post to the response_url failed")
	}
	return fmt.Errorf("post to the response_url: %w", err)
}

// touchSeparators may follow a customer name in /touch: "Acme: called".
const touchSeparators = ":;,.-–—"

// findCustomerIn finds the known customer text starts with, the longest
// that matches (so "Acme Labs called" is Acme Labs, not Acme), and returns
// the rest of text as the note. A quoted name is taken as is.
func (b *Bot) findCustomerIn(team, text string) (store.Customer, string, error) {
	if r, _ := utf8.DecodeRuneInString(text); quotes[r] != 0 {
		if name, rest := cutName(text, false); name != text { // it was closed
			c, err := b.lookupCustomer(team, name)
			return c, strings.TrimLeft(strings.TrimSpace(rest), touchSeparators+" "), err
		}
	}
	words := strings.Fields(text)
	for i := min(len(words), maxName/2); i >= 1; i-- {
		name := strings.TrimRight(strings.Join(words[:i], " "), touchSeparators)
		if store.CustomerKey(name) == "" || utf8.RuneCountInString(name) > maxName {
			continue
		}
		c, err := b.store.Customer(team, name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return c, "", fmt.Errorf("inbound: customer: %w", err)
		}
		note := strings.TrimLeft(strings.Join(words[i:], " "), touchSeparators+" ")
		return c, note, nil
	}
	first := strings.TrimRight(words[0], touchSeparators)
	return store.Customer{}, "", notFound(fmt.Sprintf("I don't know a customer called *%s*. `/customer list` shows them all; `/customer add %s` adds it. %s", slackui.Escape(first), slackui.Escape(first), usageTouch))
}

func (b *Bot) lookupCustomer(team, name string) (store.Customer, error) {
	if err := checkName(name, "`/touch Acme called to check in`"); err != nil {
		return store.Customer{}, err
	}
	c, err := b.store.Customer(team, name)
	if errors.Is(err, store.ErrNotFound) {
		return c, notFoundCustomer(name)
	}
	if err != nil {
		return c, fmt.Errorf("inbound: customer: %w", err)
	}
	return c, nil
}

// knownCustomer is the stored spelling of a customer a promise names, if
// it is a known one: before the colon, or else, when there is no colon,
// the longest known name in the promise's text.
func (b *Bot) knownCustomer(team, named, text string) string {
	if named != "" {
		if c, err := b.store.Customer(team, named); err == nil {
			return c.Name
		}
		return named
	}
	// Look up the text's phrases, longest first, one key at a time: the
	// cost follows the length of the text, not the number of customers.
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = strings.TrimFunc(w, unicode.IsPunct)
	}
	for n := min(maxNameWords, len(words)); n > 0; n-- {
		for i := 0; i+n <= len(words); i++ {
			if words[i] == "" || words[i+n-1] == "" {
				continue
			}
			if c, err := b.store.Customer(team, strings.Join(words[i:i+n], " ")); err == nil {
				return c.Name
			}
		}
	}
	return ""
}

// maxNameWords bounds the phrases tried as customer names.
const maxNameWords = 6

// touchForPromise logs a touch, in the same unit of work, when p was just
// kept and names a known customer: keeping your word is the best contact
// there is.
func touchForPromise(tx store.Tx, by string, p store.Promise) error {
	// The change was a keep if it ended with the "kept" event.
	if p.Customer == "" || len(p.History) == 0 || p.History[len(p.History)-1].Kind != model.EventKept {
		return nil
	}
	_, err := tx.AddTouch(store.Touch{Team: p.Team, Customer: p.Customer, By: by, At: p.KeptAt, Kind: store.TouchPromise, Note: p.Text})
	if errors.Is(err, store.ErrNotFound) {
		return nil // a customer named but not (or no longer) known
	}
	return err
}
