package slackui

import (
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// The promise modal: opened by `/promise` with no text and by the message
// shortcut, which prefills it with the message and keeps its permalink.
const (
	PromiseCallback  = "promise_modal"
	EditCallback     = "promise_edit"
	SnoozeCallback   = "snooze_modal"
	ShortcutCallback = "promise_followup"

	FieldCustomer = "customer"
	FieldWhat     = "what"
	FieldDate     = "date"
	FieldTime     = "time"
	FieldOwner    = "owner"
	FieldValue    = "value" // the action id of every input in the modal
)

// PromiseModal is the form: customer, what, date, time and owner, its
// date and time starting at due on the caller's wall clock (due is in the
// caller's zone).
func PromiseModal(user, text string, due time.Time, meta string) slack.ModalViewRequest {
	return promiseForm(formFill{owner: user, what: text, date: due.Format("2006-01-02"), clock: due.Format("15:04")}, meta,
		PromiseCallback, "Promise a follow-up", "Promise")
}

// EditModal is `/promise edit 42`: the same form, filled with p, its due
// time in the owner's zone loc.
func EditModal(p store.Promise, loc *time.Location, meta string) slack.ModalViewRequest {
	due := p.Due.In(loc)
	return promiseForm(formFill{customer: p.Customer, what: p.Text, owner: p.Owner, date: due.Format("2006-01-02"), clock: due.Format("15:04")}, meta,
		EditCallback, "Edit #"+strconv.FormatInt(p.ID, 10), "Save")
}

// formFill is what the promise form starts with.
type formFill struct{ customer, what, owner, date, clock string }

func promiseForm(f formFill, meta, callback, title, submit string) slack.ModalViewRequest {
	customer := slack.NewPlainTextInputBlockElement(Plain("Acme"), FieldValue)
	customer.InitialValue = f.customer
	customer.MaxLength = MaxName
	what := slack.NewPlainTextInputBlockElement(Plain("Send the renewal quote"), FieldValue)
	what.Multiline = true
	what.MaxLength = MaxText
	what.InitialValue = FitPlain(f.what, MaxText)
	date := slack.NewDatePickerBlockElement(FieldValue)
	date.InitialDate = f.date
	tm := slack.NewTimePickerBlockElement(FieldValue)
	tm.InitialTime = f.clock
	owner := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, Plain("Who keeps it"), FieldValue)
	owner.InitialUser = f.owner
	customerInput := slack.NewInputBlock(FieldCustomer, Plain("Customer"), nil, customer)
	customerInput.Optional = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callback,
		Title:           Plain(title),
		Submit:          Plain(submit),
		Close:           Plain("Cancel"),
		PrivateMetadata: meta,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			customerInput,
			slack.NewInputBlock(FieldWhat, Plain("What did you promise?"), nil, what),
			slack.NewInputBlock(FieldDate, Plain("Due date"), nil, date),
			slack.NewInputBlock(FieldTime, Plain("Time (the owner's time zone)"), nil, tm),
			slack.NewInputBlock(FieldOwner, Plain("Owner"), nil, owner),
		}},
	}
}

// SnoozeModal is the reminder's "Pick a time…": a date and a time in the
// owner's zone loc, tomorrow 9:00 to start with.
func SnoozeModal(p store.Promise, loc *time.Location, now time.Time, meta string) slack.ModalViewRequest {
	date := slack.NewDatePickerBlockElement(FieldValue)
	date.InitialDate = now.In(loc).AddDate(0, 0, 1).Format("2006-01-02")
	tm := slack.NewTimePickerBlockElement(FieldValue)
	tm.InitialTime = "09:00"
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      SnoozeCallback,
		Title:           Plain("Snooze #" + strconv.FormatInt(p.ID, 10)),
		Submit:          Plain("Snooze"),
		Close:           Plain("Cancel"),
		PrivateMetadata: meta,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			Section(Summary(p)),
			slack.NewInputBlock(FieldDate, Plain("Date"), nil, date),
			slack.NewInputBlock(FieldTime, Plain("Time ("+loc.String()+")"), nil, tm),
		}},
	}
}

// TouchModal is "Log a touch": what kind of touch with c, on which day
// (today, in the logger's zone, to start with; never a day ahead), and
// what happened, in a line.
func TouchModal(c store.Customer, today string, meta string) slack.ModalViewRequest {
	note := slack.NewPlainTextInputBlockElement(Plain("Called just to talk; they open an office in Lyon"), FieldValue)
	note.Multiline = true
	note.MaxLength = MaxText
	var opts []*slack.OptionBlockObject
	for _, k := range model.LoggedKinds {
		opts = append(opts, slack.NewOptionBlockObject(string(k), Plain(TouchKindLabel(k)), nil))
	}
	kind := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, Plain("Kind of touch"), FieldValue, opts...)
	kind.InitialOption = opts[0]
	day := slack.NewDatePickerBlockElement(FieldValue)
	day.InitialDate = today
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      TouchCallback,
		Title:           Plain("Log a touch"),
		Submit:          Plain("Log it"),
		Close:           Plain("Cancel"),
		PrivateMetadata: meta,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			Section("*" + Escape(c.Name) + "*: what happened? A line is enough to remember the context next time."),
			slack.NewInputBlock(FieldKind, Plain("Kind"), nil, kind),
			slack.NewInputBlock(FieldDate, Plain("When"), Plain("Today, or the day it happened"), day),
			slack.NewInputBlock(FieldNote, Plain("What happened"), nil, note),
		}},
	}
}

// TouchKindLabel is how a kind of touch reads in a menu: "Problem solved".
func TouchKindLabel(k model.TouchKind) string { return upperFirst(string(k)) }
