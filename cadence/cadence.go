// Package cadence reads and writes a keep-in-touch cadence, the rhythm at
// which Kept prompts a customer's owner: "every 14d", "2w", "every 3
// months", "never". /customer, the check-in buttons and `kept import` all
// read cadences here, so that what a person may type is the same
// everywhere.
package cadence

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	// Min and Max bound a cadence: a daily prompt is the most anyone
	// would want, and a relationship checked on less than every two years
	// is not being kept.
	Min = 24 * time.Hour
	Max = 730 * 24 * time.Hour

	// Usage is the hint that follows a refusal.
	Usage = "Say `every 14d`, `every 2w`, `every 3 months`, or `never` for no prompts."

	day   = 24 * time.Hour
	week  = 7 * day
	month = 30 * day
	year  = 365 * day
)

// Error is a refused phrase: a sentence to show as it is, to the person
// who typed it.
type Error string

func (e Error) Error() string { return string(e) }

const errTooLong = Error("That cadence is far too long; the longest is every 2 years. " + Usage)

var phraseRE = regexp.MustCompile(`^every\s+(?:(\d+)\s*)?([a-z]+)$`)

// units are the unit words of a phrase. A month is 30 days: a cadence is
// a rhythm, not a calendar date.
var units = map[string]time.Duration{
	"d": day, "day": day, "days": day,
	"w": week, "wk": week, "wks": week, "week": week, "weeks": week, "fortnight": 2 * week,
	"mo": month, "mos": month, "month": month, "months": month, "quarter": 3 * month, "quarters": 3 * month,
	"y": year, "yr": year, "yrs": year, "year": year, "years": year,
}

// Parse reads "every 14d", "14d", "every 2 weeks", "every 3 months",
// "monthly" or "never" (0: no prompts). Its errors are Errors, ending in
// Usage; they quote phrase, so a caller that shows them in mrkdwn escapes
// them.
func Parse(phrase string) (time.Duration, error) {
	p := strings.ToLower(strings.Join(strings.Fields(phrase), " "))
	switch p {
	case "never", "none", "off", "every never":
		return 0, nil
	case "daily":
		p = "every day"
	case "weekly":
		p = "every week"
	case "monthly":
		p = "every month"
	case "quarterly":
		p = "every quarter"
	}
	if !strings.HasPrefix(p, "every ") && p != "every" {
		p = "every " + p
	}
	m := phraseRE.FindStringSubmatch(p)
	if m == nil {
		return 0, Error(fmt.Sprintf("I couldn't read “%s” as a cadence. %s", strings.TrimSpace(phrase), Usage))
	}
	unit, ok := units[m[2]]
	if !ok {
		return 0, Error(fmt.Sprintf("“%s” is not a unit I know. %s", m[2], Usage))
	}
	n := 1
	if m[1] != "" {
		var err error
		if n, err = strconv.Atoi(m[1]); err != nil || n > 1000 {
			return 0, errTooLong
		}
	}
	d := time.Duration(n) * unit
	switch {
	case n == 0:
		return 0, Error("A cadence of 0 would prompt without end. " + Usage)
	case d < Min:
		return 0, Error("The shortest cadence is every day. " + Usage)
	case d > Max:
		return 0, errTooLong
	}
	return d, nil
}

// Text is "every 14 days", "every 3 months", "every year" or, for 0, "no
// check-ins".
func Text(d time.Duration) string {
	days := int(d / day)
	switch {
	case d <= 0:
		return "no check-ins"
	case days%365 == 0:
		return "every " + plural(days/365, "year")
	case days%30 == 0:
		return "every " + plural(days/30, "month")
	}
	return "every " + plural(days, "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
