package slackui

import (
	"strconv"
	"strings"
	"time"
)

// TSTime reads a Slack message timestamp ("1700000000.000100") as the
// instant the message was posted; false if it is not one.
func TSTime(ts string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}, false
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000), true
}
