// Package cronspec reads the cron specs Kept is configured with (the
// digest's KEPT_DIGEST_SCHEDULE), for config to check and the daemon to
// hand the scheduler, so that neither config nor the daemon imports the
// scheduler to parse a setting.
package cronspec

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Parse parses a cron spec, such as the digest's: five fields or a
// descriptor such as @weekly, optionally prefixed with CRON_TZ=Zone. A
// spec without a zone runs in loc. It returns the schedule and the spec
// with its zone spelled out.
//
// robfig's parser panics on some malformed zone prefixes ("TZ=0") and
// silently falls back to the machine's zone without one, so the zone is
// checked here first and the parse is guarded.
func Parse(spec string, loc *time.Location) (_ cron.Schedule, full string, err error) {
	spec = strings.TrimSpace(spec)
	if loc == nil {
		loc = time.UTC
	}
	body, zone := spec, loc.String()
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(spec, prefix); ok {
			var found bool
			zone, body, found = strings.Cut(rest, " ")
			if !found || strings.TrimSpace(body) == "" {
				return nil, "", fmt.Errorf("cronspec: %q has a zone but no schedule after it", spec)
			}
			if _, err := time.LoadLocation(zone); err != nil || zone == "" || zone == "Local" {
				return nil, "", fmt.Errorf("cronspec: %q is not a time zone; use an IANA name such as Europe/Paris", zone)
			}
			break
		}
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return nil, "", errors.New("cronspec: empty schedule")
	}
	full = "CRON_TZ=" + zone + " " + body
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cronspec: %q is not a cron schedule", spec)
		}
	}()
	sched, err := cron.ParseStandard(full)
	if err != nil {
		return nil, "", fmt.Errorf("cronspec: %q is not a cron schedule: %w", spec, err)
	}
	// SpecSchedule.Next gives up (zero time) on specs that never match,
	// such as 30 February.
	if sched.Next(time.Now()).IsZero() {
		return nil, "", fmt.Errorf("cronspec: %q never happens", spec)
	}
	return sched, full, nil
}
