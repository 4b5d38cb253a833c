package slackui

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/cadence"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// The customer form: `/customer add` alone opens it empty, `/customer edit
// Acme` alone opens it filled with Acme, its linked channels included.
const (
	CustomerFormCallback = "customer_form"

	FieldName     = "name"
	FieldTier     = "tier"
	FieldCadence  = "cadence"
	FieldChannels = "channels"
	FieldNotes    = "notes"

	// MaxFormChannels bounds the channels picked in one form: a customer
	// with more is linked with `/customer link`.
	MaxFormChannels = 10
)

// KeepsChannels reports whether the form for a customer with these
// channels leaves them out (more than MaxFormChannels): its Save must
// then leave them as they are.
func KeepsChannels(channels []string) bool { return len(channels) > MaxFormChannels }

// CustomerForm is the form for c, new or as stored, with the channels
// linked to it. A new customer is named in the form; a stored one keeps
// its name (the card, its touches and its promises go by it).
func CustomerForm(c store.Customer, channels []string, isNew bool, meta string) slack.ModalViewRequest {
	title, submit := "Edit customer", "Save"
	var blocks []slack.Block
	if isNew {
		title, submit = "Add a customer", "Add"
		name := slack.NewPlainTextInputBlockElement(Plain("Acme"), FieldValue)
		name.MaxLength = MaxName
		name.InitialValue = c.Name
		blocks = append(blocks, slack.NewInputBlock(FieldName, Plain("Name"), nil, name))
	} else {
		blocks = append(blocks, Section("*"+Escape(c.Name)+"*"))
		if d := formDates(c); d != "" {
			blocks = append(blocks, Context(d))
		}
	}

	owner := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, Plain("Who keeps in touch"), FieldValue)
	owner.InitialUser = c.Owner
	blocks = append(blocks, slack.NewInputBlock(FieldOwner, Plain("Owner"), nil, owner))

	tiers := []*slack.OptionBlockObject{
		slack.NewOptionBlockObject(string(store.KeyTier), Plain("Key"), nil),
		slack.NewOptionBlockObject(string(store.StandardTier), Plain("Standard"), nil),
	}
	tier := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, Plain("Tier"), FieldValue, tiers...)
	tier.InitialOption = tiers[1]
	if c.Tier == store.KeyTier {
		tier.InitialOption = tiers[0]
	}
	blocks = append(blocks, slack.NewInputBlock(FieldTier, Plain("Tier"), nil, tier))

	every := slack.NewPlainTextInputBlockElement(Plain("every 14d, every 2w, every 3 months, never"), FieldValue)
	every.MaxLength = 40
	cadenceInput := slack.NewInputBlock(FieldCadence, Plain("Keep in touch"), nil, every)
	if isNew {
		cadenceInput.Optional = true
		cadenceInput.Hint = Plain("Empty: the tier's usual cadence.")
	} else {
		every.InitialValue = "never"
		if c.Cadence > 0 {
			every.InitialValue = cadence.Text(c.Cadence)
		}
	}
	blocks = append(blocks, cadenceInput)

	if KeepsChannels(channels) {
		// The picker could not hold them all, and what it left out would
		// be unlinked on Save (KeepsChannels).
		blocks = append(blocks, Context(fmt.Sprintf("%d channels are linked to *%s*, more than this form can show, so Save leaves them as they are. Change them with `/customer link` and `/customer unlink`.", len(channels), Escape(c.Name))))
	} else {
		picker := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeConversations, Plain("#acme-shared"), FieldValue)
		picker.InitialConversations = channels
		picker.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}, ExcludeBotUsers: true}
		limit := MaxFormChannels
		picker.MaxSelectedItems = &limit
		channelInput := slack.NewInputBlock(FieldChannels, Plain("Channels where we talk with them"), nil, picker)
		channelInput.Optional = true
		channelInput.Hint = Plain("What our side writes there counts as a touch; the owner hears when they wait on us. Invite me first: /invite @Kept in the channel.")
		blocks = append(blocks, channelInput)
	}

	notes := slack.NewPlainTextInputBlockElement(Plain("Renewal in March; prefers calls to email"), FieldValue)
	notes.Multiline = true
	notes.MaxLength = MaxText
	notes.InitialValue = FitPlain(c.Notes, MaxText)
	notesInput := slack.NewInputBlock(FieldNotes, Plain("Notes"), nil, notes)
	notesInput.Optional = true
	blocks = append(blocks, notesInput)

	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CustomerFormCallback,
		Title:           Plain(title),
		Submit:          Plain(submit),
		Close:           Plain("Cancel"),
		PrivateMetadata: meta,
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// formDates is the edit form's line of c's dates that matter, which the
// form shows but does not change: `/customer edit` does, in words.
func formDates(c store.Customer) string {
	if len(c.Dates) == 0 {
		return ""
	}
	var parts []string
	for _, d := range c.Dates {
		day := CivilDay(d.On, model.Day{})
		if d.Yearly() && d.On.Year == 0 {
			day = "every " + day
		}
		parts = append(parts, DateLabel(d)+" "+day)
	}
	name := Escape(Clip(c.Name, listNameMax))
	return "Dates that matter: " + strings.Join(parts, " · ") + ". Change them with `/customer edit " + name + " renewal 2027-03-01` or `date \"kickoff\" mar 14` (`none` removes one)."
}
