// Package config reads Kept's settings from the environment.
//
// Every setting is declared once, in Settings, with its default and a line of
// help; `kept help` and the README are written from the same list, and Load
// reports every problem at once, each with the fix, so an admin does not
// have to restart the bot once per typo.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keptbot/kept/cronspec"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/workhours"
)

// Config is everything Kept can be told.
type Config struct {
	AppToken string
	BotToken string
	APIURL   string
	DB       string
	// Lease bounds how long a scheduling replica that stopped answering
	// holds its turn (PostgreSQL only).
	Lease        time.Duration
	Tick         time.Duration
	OverdueAfter time.Duration
	Zone         *time.Location
	Admins       []string
	// Leads may see, post and subscribe the digest, and open the team
	// view, as admins may: user ids, and the members of LeadGroups (Slack
	// user group ids, S…), looked up when needed.
	Leads      []string
	LeadGroups []string
	LogLevel   string
	// MetricsAddr is where /metrics and /healthz listen; "" is off.
	MetricsAddr string
	// DigestChannel gets the team digest, and the nudges whose owner
	// cannot be reached; "" means none.
	DigestChannel string
	// DigestCron is the digest's schedule with its zone spelled out, as
	// scheduler.ParseSchedule accepted it.
	DigestCron string
	// KeyCadence and StandardCadence are how often a key or standard
	// customer should hear from its owner, unless set per customer.
	KeyCadence, StandardCadence time.Duration
	// WorkHours is when keep-in-touch prompts go out, in each owner's zone.
	WorkHours workhours.Hours
	// CheckinsPerDay is how many customers an owner's one check-in
	// message a working day lists; the rest wait for the next working day.
	CheckinsPerDay int
	// Customer channels: a message touch at most once per TouchEvery per
	// person and customer; a customer's unanswered message is told to its
	// owner after WaitingAfter of their working hours; Excerpt characters
	// of a customer's message are kept (0: none).
	TouchEvery, WaitingAfter time.Duration
	Excerpt                  int
	// EscalateAfter is how many working days (WorkHours' days, in the
	// owner's zone) after its overdue follow-up a promise still open
	// escalates; 0 never. EscalateTo is who is told (user and channel
	// ids); empty means the leads (Leads). See Escalation.
	EscalateAfter int
	EscalateTo    []string
	// ProblemFollowup and SaleFollowup are how long after a touch of kind
	// "problem solved" or "sale closed" the follow-up promise Kept offers
	// falls due; negative means no offer.
	ProblemFollowup, SaleFollowup time.Duration
	// RenewalNotice is how long before a customer's renewal its owner is
	// prompted, in whole days.
	RenewalNotice time.Duration
}

// Escalation is who a slipping promise is escalated to: KEPT_ESCALATE_TO,
// or else every lead named by user id in KEPT_LEADS (a user group's
// members change while the escalation waits in the outbox, so groups are
// not expanded; name a channel instead). A customer has no lead of its
// own in Kept's model, so "the customer's lead" is the team's leads,
// unless the operator names someone (a manager, a channel).
func (c Config) Escalation() []string {
	if len(c.EscalateTo) > 0 {
		return c.EscalateTo
	}
	return c.Leads
}

// Postgres reports whether db (KEPT_DB) names a PostgreSQL database rather
// than a bbolt file.
func Postgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Setting describes one environment variable.
type Setting struct {
	Name    string
	Default string
	Help    string
	set     func(c *Config, v string) error
}

// Settings lists every environment variable Kept reads, in the order `kept
// help` shows them.
var Settings = []Setting{
	{"SLACK_APP_TOKEN", "", "App-level token (xapp-…) with connections:write, for Socket Mode. Required.", func(c *Config, v string) error {
		return token(&c.AppToken, v, "xapp-", "create one under Basic Information → App-Level Tokens with the connections:write scope")
	}},
	{"SLACK_BOT_TOKEN", "", "Bot token (xoxb-…) from OAuth & Permissions after installing the app. Required.", func(c *Config, v string) error {
		return token(&c.BotToken, v, "xoxb-", "copy the Bot User OAuth Token from OAuth & Permissions")
	}},
	{"SLACK_API_URL", "https://slack.com/api/", "Slack Web API base URL; point it at a local Slack (kept sim) for testing.", func(c *Config, v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("is %q; set it to an http(s) URL such as https://slack.com/api/", v)
		}
		if !strings.HasSuffix(v, "/") {
			v += "/" // slack-go appends the method name directly
		}
		c.APIURL = v
		return nil
	}},
	{"KEPT_DB", "kept.db", "Path of the bbolt database file, which only one kept process may use; or a postgres:// URL, which several kept replicas may share (see Running more than one).", func(c *Config, v string) error {
		if v == "" {
			return errors.New("is empty; set it to a file path such as /data/kept.db, or a URL such as postgres://kept@db/kept")
		}
		c.DB = v
		return nil
	}},
	{"KEPT_LEASE", "10s", "With PostgreSQL: how long a scheduling replica that stopped answering keeps its turn before another takes over (a replica that dies hands over at once).", func(c *Config, v string) error {
		return duration(&c.Lease, v, time.Second, "10s")
	}},
	{"KEPT_TICK", "30s", "How often the scheduler looks for due reminders (a Go duration: 1s, 30s, 1m).", func(c *Config, v string) error {
		return duration(&c.Tick, v, time.Second, "30s")
	}},
	{"KEPT_OVERDUE_AFTER", "24h", "When a promise is still open this long after it was due, its owner gets one overdue DM (0 turns it off).", func(c *Config, v string) error {
		if v == "0" {
			c.OverdueAfter = 0
			return nil
		}
		return duration(&c.OverdueAfter, v, time.Minute, "24h")
	}},
	{"KEPT_TIMEZONE", "UTC", "The workspace's time zone (IANA name), used when a user's own zone is unknown.", func(c *Config, v string) error {
		loc, err := time.LoadLocation(v)
		if err != nil || v == "" || v == "Local" {
			return fmt.Errorf("is %q, not a time zone; use an IANA name such as Europe/Paris or America/New_York", v)
		}
		c.Zone = loc
		return nil
	}},
	{"KEPT_ADMINS", "", "Comma-separated Slack user ids (U…) allowed to change anyone's promises and customers, and to use the digest.", func(c *Config, v string) (err error) {
		c.Admins, err = userIDs(v)
		return err
	}},
	{"KEPT_LEADS", "", "Comma-separated Slack user ids (U…) or user group ids (S…) allowed to see, post and subscribe the digest and to open the team view in the App Home (admins may too).", func(c *Config, v string) (err error) {
		c.Leads, c.LeadGroups, err = leadIDs(v)
		return err
	}},
	{"KEPT_DIGEST_CHANNEL", "", "Channel id (C…) for the team digest, and for reminders whose owner cannot be reached (deactivated). Invite Kept to it.", func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if !isChannel(v) {
			return fmt.Errorf("is %q; use a channel id such as C012AB3CD (channel details → About) or a name such as #sales", v)
		}
		c.DigestChannel = v
		return nil
	}},
	{"KEPT_DIGEST_CRON", "0 9 * * MON", "When the digest is posted: a cron spec (minute hour day-of-month month weekday), in KEPT_TIMEZONE unless it starts with CRON_TZ=Zone. Default: Mondays 9:00.", func(c *Config, v string) error {
		_, full, err := cronspec.Parse(v, c.Zone)
		if err != nil {
			return fmt.Errorf("is %q, not a schedule Kept understands; use five cron fields such as \"0 9 * * MON\" (Mondays 9:00) or \"CRON_TZ=Europe/Paris 0 17 * * FRI\"", v)
		}
		c.DigestCron = full
		return nil
	}},
	{"KEPT_METRICS_ADDR", "", "Listen address for Prometheus /metrics and /healthz, such as :9090 or 127.0.0.1:9090. Empty: off. `kept health` uses it. Backups are served on a Unix socket beside KEPT_DB, never here.", func(c *Config, v string) error {
		host, port, err := net.SplitHostPort(v)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 || strings.ContainsAny(host, " /") {
			return fmt.Errorf("is %q; use host:port such as :9090 (all interfaces) or 127.0.0.1:9090 (this host only)", v)
		}
		c.MetricsAddr = v
		return nil
	}},
	{"KEPT_LOG_LEVEL", "info", "Log level: debug, info, warn or error.", func(c *Config, v string) error {
		switch v {
		case "debug", "info", "warn", "error":
			c.LogLevel = v
			return nil
		}
		return fmt.Errorf("is %q; use debug, info, warn or error", v)
	}},
	{"KEPT_KEY_CADENCE", "14d", "How often a key customer should hear from its owner: its owner is prompted when the last touch is older (days or weeks: 14d, 2w).", func(c *Config, v string) error {
		return cadence(&c.KeyCadence, v, "14d")
	}},
	{"KEPT_STANDARD_CADENCE", "45d", "The same for a standard customer (45d, 6w).", func(c *Config, v string) error {
		return cadence(&c.StandardCadence, v, "45d")
	}},
	{"KEPT_WORK_HOURS", "Mon-Fri 09:00-17:00", "When keep-in-touch prompts go out, in each owner's own time zone: days and a span, such as Mon-Fri 09:00-17:00 or Mon,Wed 08:30-12:00. Its days are the business days of \"in 3 business days\".", func(c *Config, v string) error {
		h, err := workhours.Parse(v)
		if err != nil {
			return fmt.Errorf("is %q; use days and a span such as \"Mon-Fri 09:00-17:00\" or \"Mon,Wed 08:30-12:00\"", v)
		}
		c.WorkHours = h
		return nil
	}},
	{"KEPT_CHECKINS_PER_DAY", "5", "Keep-in-touch prompts are gathered: each owner gets at most one check-in DM a working day, listing at most this many customers (1 to 20), those waiting longest first; the rest come on the next working days.", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > model.MaxCheckinsPerDay {
			return fmt.Errorf("is %q; give a number of customers from 1 to %d, such as 5", v, model.MaxCheckinsPerDay)
		}
		c.CheckinsPerDay = n
		return nil
	}},
	{"KEPT_TOUCH_EVERY", "4h", "In a customer channel, what someone on our side writes logs a touch at most once per this long per person and customer.", func(c *Config, v string) error {
		return duration(&c.TouchEvery, v, time.Minute, "4h")
	}},
	{"KEPT_WAITING_AFTER", "4h", "When a customer writes in their channel and nobody on our side answers within this much of the owner's working hours (KEPT_WORK_HOURS), the owner gets one DM.", func(c *Config, v string) error {
		return duration(&c.WaitingAfter, v, time.Minute, "4h")
	}},
	{"KEPT_EXCERPT", "140", "How many characters of a customer's message Kept keeps, for the waiting-on-us DM and card (0 keeps none; the rest of the text is never stored).", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 500 {
			return fmt.Errorf("is %q; give a number of characters from 0 to 500, such as 140", v)
		}
		c.Excerpt = n
		return nil
	}},
	{"KEPT_ESCALATE_AFTER", "0", "Working days (of KEPT_WORK_HOURS, in the owner's zone) after its overdue DM that a promise still open escalates: KEPT_ESCALATE_TO, or else the leads (KEPT_LEADS), get one message with the promise, the customer, how late and whose it is, and the owner is told. 0: never.", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 60 {
			return fmt.Errorf("is %q; give a number of working days from 0 (never) to 60, such as 2", v)
		}
		c.EscalateAfter = n
		return nil
	}},
	{"KEPT_ESCALATE_TO", "", "Comma-separated Slack user ids (U…) and channel ids (C…) told when a promise escalates (KEPT_ESCALATE_AFTER); empty: the leads (KEPT_LEADS). Invite Kept to a channel named here.", func(c *Config, v string) error {
		for id := range strings.SplitSeq(v, ",") {
			id = strings.TrimSpace(id)
			switch {
			case id == "":
				continue
			case !isUserID(id) && (!isChannel(id) || strings.HasPrefix(id, "#")):
				return fmt.Errorf("has %q, neither a user id nor a channel id; use ids like U012AB3CD (Profile → ⋮ → Copy member ID) or C012AB3CD (channel details → About)", id)
			}
			c.EscalateTo = append(c.EscalateTo, id)
		}
		return nil
	}},
	{"KEPT_PROBLEM_FOLLOWUP", "7d", "After a touch of kind \"problem solved\", Kept offers the customer's owner a promise to check the fix holds this many days later, at 9:00 in the owner's zone (days or weeks: 7d, 2w; never: no offer).", func(c *Config, v string) error {
		return followup(&c.ProblemFollowup, v, "7d")
	}},
	{"KEPT_SALE_FOLLOWUP", "30d", "The same after \"sale closed\": a promise to ask how it is going (30d, 6w; never: no offer).", func(c *Config, v string) error {
		return followup(&c.SaleFollowup, v, "30d")
	}},
	{"KEPT_RENEWAL_NOTICE", "30d", "How long before a customer's renewal (/customer edit Acme renewal 2027-03-01) its owner is prompted, in their working hours (days or weeks: 30d, 6w). Anniversaries are prompted on the week of them.", func(c *Config, v string) error {
		return cadence(&c.RenewalNotice, v, "30d")
	}},
}

// followup reads a follow-up delay as a cadence, or never (stored as -1).
func followup(dst *time.Duration, v, example string) error {
	if v == "never" || v == "0" {
		*dst = -1
		return nil
	}
	if err := cadence(dst, v, example); err != nil {
		return fmt.Errorf("%w, or never", err)
	}
	return nil
}

// cadence reads a number of days (14d) or weeks (2w), from 1 day to 2 years.
func cadence(dst *time.Duration, v, example string) error {
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[v[len(v)-1]]
	n, err := strconv.Atoi(v[:len(v)-1])
	if unit == 0 || err != nil || n < 1 || n > 730 || time.Duration(n)*unit > 730*24*time.Hour {
		return fmt.Errorf("is %q; use days or weeks from 1d to 730d, such as %s or 2w", v, example)
	}
	*dst = time.Duration(n) * unit
	return nil
}

// Load builds a Config from getenv (os.Getenv in production). requireTokens
// is false for commands that do not talk to Slack. The error, if any, lists
// every problem, one per line.
func Load(getenv func(string) string, requireTokens bool) (Config, error) {
	var c Config
	var errs []error
	for _, s := range Settings {
		v := getenv(s.Name)
		if v == "" {
			if s.Default == "" {
				if requireTokens && strings.HasPrefix(s.Name, "SLACK_") {
					errs = append(errs, fmt.Errorf("%s is not set: %s (or run `kept sim` to try Kept on a local Slack)", s.Name, strings.TrimSuffix(s.Help, " Required.")))
				}
				continue
			}
			v = s.Default
		}
		if err := s.set(&c, v); err != nil {
			errs = append(errs, fmt.Errorf("%s %w", s.Name, err))
		}
	}
	if c.EscalateAfter > 0 && len(c.Escalation()) == 0 {
		errs = append(errs, errors.New("KEPT_ESCALATE_AFTER is set but nobody would be told: set KEPT_ESCALATE_TO (user or channel ids), or name leads by user id in KEPT_LEADS"))
	}
	return c, errors.Join(errs...)
}

func token(dst *string, v, prefix, fix string) error {
	if !strings.HasPrefix(v, prefix) || len(v) == len(prefix) || strings.ContainsAny(v, " \t\r\n") {
		return fmt.Errorf("does not look like a %s… token; %s", prefix, fix)
	}
	*dst = v
	return nil
}

func duration(dst *time.Duration, v string, least time.Duration, example string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < least {
		return fmt.Errorf("is %q; use a Go duration of at least %s, such as %s", v, least, example)
	}
	*dst = d
	return nil
}

// isChannel accepts a conversation id (C…, G…) or a #name as Slack allows
// them: lower-case letters, digits, - and _, at most 80.
func isChannel(s string) bool {
	if name, ok := strings.CutPrefix(s, "#"); ok {
		if name == "" || len(name) > 80 {
			return false
		}
		for _, r := range name {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
				return false
			}
		}
		return true
	}
	if len(s) < 3 || (s[0] != 'C' && s[0] != 'G') {
		return false
	}
	for _, r := range s[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// userIDs reads a comma-separated list of Slack user ids.
func userIDs(v string) ([]string, error) {
	var ids []string
	for _, id := range strings.Split(v, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if !isUserID(id) {
			return nil, fmt.Errorf("has %q, not a Slack user id; use ids like U012AB3CD (Profile → ⋮ → Copy member ID)", id)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// leadIDs reads KEPT_LEADS: user ids and user group ids, in any order.
func leadIDs(v string) (users, groups []string, err error) {
	for _, id := range strings.Split(v, ",") {
		id = strings.TrimSpace(id)
		switch {
		case id == "":
		case isUserID(id):
			users = append(users, id)
		case isGroupID(id):
			groups = append(groups, id)
		default:
			return nil, nil, fmt.Errorf("has %q, neither a Slack user id (U012AB3CD: Profile → ⋮ → Copy member ID) nor a user group id (S012AB3CD: the group's page → ⋮ → Copy group ID)", id)
		}
	}
	return users, groups, nil
}

func isGroupID(s string) bool { return len(s) >= 3 && s[0] == 'S' && isUserID("U"+s[1:]) }

func isUserID(s string) bool {
	if len(s) < 3 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for _, r := range s[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
