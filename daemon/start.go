package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"
)

// authAPI is what the start-up check needs of the Web API.
type authAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
}

// How long the start-up check waits between tries while Slack cannot be
// reached: doubling from startRetryMin up to startRetryMax.
const (
	startRetryMin = time.Second
	startRetryMax = time.Minute
)

// refusedCodes are auth.test's answers for a token Slack will never take.
var refusedCodes = map[string]bool{"invalid_auth": true, "not_authed": true, "token_revoked": true, "account_inactive": true}

// checkToken asks Slack, before Kept connects or delivers anything, who
// the bot token is (auth.test). A token Slack refuses stops Kept at once
// with what to do, rather than running, saying "connected", and failing
// every reminder. While Slack cannot be reached it says so from the first
// attempt, with when the next one is, and keeps trying until ctx is done.
func (d *Daemon) checkToken(ctx context.Context) error {
	wait := startRetryMin
	for attempt := 1; ; attempt++ {
		res, err := d.auth.AuthTestContext(ctx)
		var se slack.SlackErrorResponse
		switch {
		case err == nil:
			d.log.Info("bot token checked", "bot", res.User, "team", res.Team, "team_id", res.TeamID)
			return nil
		case errors.As(err, &se) && refusedCodes[se.Err]:
			return fmt.Errorf("SLACK_BOT_TOKEN refused by Slack (%s): copy the Bot User OAuth Token (xoxb-…) again from the app's OAuth & Permissions page, reinstalling the app first if it was removed; `kept check` tells more", se.Err)
		case ctx.Err() != nil:
			return nil
		}
		next := d.now().Add(wait)
		d.log.Warn("cannot reach Slack to check the bot token; Kept waits and tries again",
			"attempt", attempt, "err", err, "next_try", next.Format(time.RFC3339), "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(2*wait, startRetryMax)
	}
}
