package daemon

import (
	"fmt"
	"sync"

	"github.com/keptbot/kept/outbox"
)

// tokenWatch notices the Slack answers that say Kept's own bot token is
// dead: token_revoked (the token was revoked) and account_inactive (the
// app was uninstalled, or the workspace is gone). They are not about a
// user, so no nudge may be given up on for them: Kept stops, says why,
// and delivers what it owes once it runs again with a working token.
type tokenWatch struct {
	once sync.Once
	dead chan struct{}
	code string
}

func (w *tokenWatch) see(method, code string) {
	if code != "token_revoked" && code != "account_inactive" {
		return
	}
	w.once.Do(func() {
		w.code = code
		close(w.dead)
	})
}

func (w *tokenWatch) err() error {
	return fmt.Errorf("%w: Slack answered %s. The app was uninstalled from the workspace or its token revoked. "+
		"Reinstall Kept (https://api.slack.com/apps → Kept → Install App) and set SLACK_BOT_TOKEN to the new bot token; "+
		"no reminder is lost, what is due goes out once Kept runs again", outbox.ErrTokenDead, w.code)
}
