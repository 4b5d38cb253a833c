package inbound

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// TestRespondNeverLogsResponseURL: a response_url is a short-lived
// credential; a failed post to one must not write it to the logs, whether
// the connection failed or Slack answered an error.
func TestRespondNeverLogsResponseURL(t *testing.T) {
	const secret = "/actions/T0KEPT/1234567890/s3cr3tT0k3n"
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "expired", http.StatusNotFound)
	}))
	defer refusing.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // connection refused
	for name, base := range map[string]string{"refused": refusing.URL, "unreachable": gone.URL} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			b := New(nil, fuzzSlack{}, nil, Config{Log: slog.New(slog.NewTextHandler(&logs, nil))})
			b.respond(context.Background(), slack.InteractionCallback{ResponseURL: base + secret}, "Done.")
			if !strings.Contains(logs.String(), "respond through response_url") {
				t.Fatalf("the failure was not logged: %q", logs.String())
			}
			if strings.Contains(logs.String(), "s3cr3t") {
				t.Errorf("the log shows the response_url: %s", logs.String())
			}
		})
	}
}
