package slackui

import (
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/duetime"
)

// Action ids of a time question's buttons: TimeChoiceAction(i) for
// choice i (action ids must differ within a block), and Cancel.
const (
	actionTimeChoice = "promise_time_choice_"
	ActionTimeCancel = "promise_time_cancel"
	// MaxTimeChoices is the most choices a question offers: two readings
	// of a numeric date, each perhaps next year's.
	MaxTimeChoices = 3
)

// TimeChoiceAction is the action id of choice i's button.
func TimeChoiceAction(i int) string { return actionTimeChoice + strconv.Itoa(i) }

// MaxButtonValue is the longest value Slack accepts on a button.
const MaxButtonValue = 2000

// TimeQuestion asks which reading of a time phrase was meant ("3/4":
// 4 March or 3 April? "nov 30": next year's?), with a button for each
// choice and one to cancel. values[i] is what choice i's button carries:
// the command to run when it is pressed. ok is false when a value is too
// long for a button; the caller then asks for an exact date instead.
func TimeQuestion(q duetime.Question, values []string) (fallback string, blocks []slack.Block, ok bool) {
	var labels []string
	var buttons []slack.BlockElement
	if len(q.Choices) > MaxTimeChoices {
		return "", nil, false
	}
	for i, c := range q.Choices {
		if len(values[i]) > MaxButtonValue {
			return "", nil, false
		}
		labels = append(labels, c.Label)
		b := slack.NewButtonBlockElement(TimeChoiceAction(i), values[i], Plain(Truncate(c.Label, 75)))
		if i == 0 {
			b.Style = slack.StylePrimary
		}
		buttons = append(buttons, b)
	}
	buttons = append(buttons, slack.NewButtonBlockElement(ActionTimeCancel, "cancel", Plain("Cancel")))
	fallback = q.Text + " " + strings.Join(labels, " or ") + "?"
	return fallback, []slack.Block{Section(Escape(q.Text)), slack.NewActionBlock("promise_time", buttons...)}, true
}
