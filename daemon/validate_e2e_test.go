package daemon_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// One set of limits on every path into Kept (issue 11, defect 3): the
// slash command, the form and import refuse the same records, with words
// that say why, and store nothing.
func TestSameLimitsOnEveryPath(t *testing.T) {
	e := start(t)
	longText := strings.Repeat("y", model.MaxText+1)
	longName := strings.Repeat("N", model.MaxName+20) // under the form's old 200, over the command's 80

	// The slash command: the promise's own text is what is limited.
	if got := replyText(e.slash(ann, "Acme: "+longText+" tomorrow 3pm")); !strings.Contains(got, "2000") {
		t.Errorf("/promise with %d characters answered %q", len(longText), got)
	}
	ok := "Acme: " + strings.Repeat("z", model.MaxText-5) + " tomorrow 3pm" // whole command over 2,000, promise under
	if got := replyText(e.slash(ann, ok)); !strings.Contains(got, "Got it") {
		t.Errorf("a %d-character promise was refused: %q", model.MaxText-5, got)
	}
	if n := len(e.promises()); n != 1 {
		t.Fatalf("%d promises after the command, want 1", n)
	}

	// The form: the customer name has the same limit as everywhere.
	e.slash(ann, "")
	v := e.lastView(ann, "open")
	for _, tt := range []struct {
		customer, what, field string
	}{
		{longName, "call back", "customer"},
		{"Acme", longText, "what"},
	} {
		r, err := e.sim.SubmitView(e.ctx(), ann, v.ID, modalInput(tt.customer, tt.what, "2026-11-24", "15:00", ann))
		if err != nil {
			t.Fatal(err)
		}
		if r.ResponseAction != "errors" || r.Errors[tt.field] == "" {
			t.Errorf("form with a %d-character %s: ack %s, want an error on %s", len(tt.customer)+len(tt.what), tt.field, r.Payload, tt.field)
		}
	}
	if n := len(e.promises()); n != 1 {
		t.Fatalf("the form stored refused promises: %d, want 1", n)
	}

	// /customer add: the same name limit.
	if got := replyText(e.cmd(ann, "/customer", "add "+longName)); !strings.Contains(got, "at most 80") {
		t.Errorf("/customer add with a %d-character name answered %q", len(longName), got)
	}

	// Import (what `kept import` calls): the same limits, and the same
	// owner and permalink shapes.
	importer, canImport := e.d.Store.(interface {
		Import(store.Dump, bool) (store.ImportReport, error)
	})
	if !canImport {
		t.Fatal("the daemon's store cannot import")
	}
	due := e.clock.Now().Add(24 * time.Hour)
	for _, tt := range []struct {
		name string
		p    model.Promise
	}{
		{"long text", model.Promise{Team: team, ID: 50, Text: longText, Owner: ann, Due: due, State: model.PromiseOpen}},
		{"long customer", model.Promise{Team: team, ID: 51, Text: "call", Customer: longName, Owner: ann, Due: due, State: model.PromiseOpen}},
		{"owner id", model.Promise{Team: team, ID: 52, Text: "call", Owner: "ann", Due: due, State: model.PromiseOpen}},
		{"permalink", model.Promise{Team: team, ID: 53, Text: "call", Owner: ann, Due: due, State: model.PromiseOpen, Permalink: "javascript:alert(1)"}},
	} {
		var ie *store.ImportError
		if _, err := importer.Import(store.Dump{Promises: []model.Promise{tt.p}}, false); !errors.As(err, &ie) {
			t.Errorf("import with a bad %s: err %v, want an ImportError", tt.name, err)
		}
	}
	if n := len(e.promises()); n != 1 {
		t.Errorf("import stored refused promises: %d, want 1", n)
	}
}
