package transfer

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/store"
)

var t0 = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

func open(t *testing.T) *store.Bolt {
	t.Helper()
	st, err := store.New(filepath.Join(t.TempDir(), "kept.db"), store.Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// seed fills st with a bit of everything: two teams, open, kept and
// cancelled promises with history, customers with and without cadence,
// touches, and text that CSV must quote.
func seed(t *testing.T, st *store.Bolt) {
	t.Helper()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, text := range []string{"send the renewal quote", "call back, \"urgently\"\nabout the invoice", "demo, then a follow-up"} {
		must(st.AddPromise("", store.Promise{Team: "T1", Text: text, Customer: "Acme", Owner: "U0ANN", Creator: "U0BOB",
			Channel: "C0SALES", Due: t0.Add(time.Duration(i+1) * 24 * time.Hour), Zone: "America/New_York"}))
	}
	must(st.UpdatePromise("", "T1", 2, func(p *store.Promise) error {
		p.State, p.KeptAt, p.OnTime = store.Kept, t0.Add(time.Hour), true
		p.History = append(p.History, store.Event{At: t0.Add(time.Hour), Kind: "kept", By: "U0ANN"})
		return nil
	}))
	must(st.UpdatePromise("", "T1", 3, func(p *store.Promise) error {
		p.State = store.Cancelled
		return nil
	}))
	must(st.AddPromise("", store.Promise{Team: "T2", Text: "ship it", Owner: "U0CID", Creator: "U0CID", Due: t0, Repeat: "every monday 9am"}))
	must(st.AddCustomer("", store.Customer{Team: "T1", Name: "Acme Corp", Owner: "U0ANN", Tier: store.KeyTier, Cadence: 14 * 24 * time.Hour, Notes: "renewal in March"}))
	must(st.AddCustomer("", store.Customer{Team: "T1", Name: "Globex", Owner: "U0BOB", Tier: store.StandardTier}))
	must(st.AddTouch("", store.Touch{Team: "T1", Customer: "acme corp", By: "U0ANN", At: t0.Add(-48 * time.Hour), Kind: "call", Note: "asked about SSO"}))
	must(st.AddTouch("", store.Touch{Team: "T1", Customer: "Acme Corp", By: "U0BOB", At: t0.Add(-time.Hour), Kind: "note"}))
}

func dump(t *testing.T, st *store.Bolt) string {
	t.Helper()
	d, err := st.Export()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(d, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exportAs(t *testing.T, st *store.Bolt, format string, kind Kind) []byte {
	t.Helper()
	d, err := st.Export()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if format == "json" {
		err = WriteJSON(&buf, d)
	} else {
		err = WriteCSV(&buf, d, kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func importInto(t *testing.T, st *store.Bolt, name string, data []byte) (store.ImportReport, error) {
	t.Helper()
	f, err := Read(bytes.NewReader(data), name, Options{})
	if err != nil {
		return store.ImportReport{}, err
	}
	return f.Import(st, false)
}

func TestRoundTrip(t *testing.T) {
	src := open(t)
	seed(t, src)
	want := dump(t, src)
	if !strings.Contains(want, "Globex") || !strings.Contains(want, "asked about SSO") {
		t.Fatalf("the seed is not all in the export:\n%s", want)
	}
	tests := []struct {
		name  string
		files map[string][]byte
	}{
		{"json", map[string][]byte{"kept.json": exportAs(t, src, "json", "")}},
		{"csv", map[string][]byte{
			// Customers before touches, as the README says.
			"1-promises.csv":  exportAs(t, src, "csv", Promises),
			"2-customers.csv": exportAs(t, src, "csv", Customers),
			"3-touches.csv":   exportAs(t, src, "csv", Touches),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := open(t)
			for _, name := range []string{"kept.json", "1-promises.csv", "2-customers.csv", "3-touches.csv"} {
				data, ok := tt.files[name]
				if !ok {
					continue
				}
				if _, err := importInto(t, dst, name, data); err != nil {
					t.Fatalf("import %s: %v", name, err)
				}
			}
			if got := dump(t, dst); got != want {
				t.Errorf("export → import → export differs:\ngot  %s\nwant %s", got, want)
			}
			// Again: idempotent, and it says so.
			for name, data := range tt.files {
				rep, err := importInto(t, dst, name, data)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range []store.Counts{rep.Promises, rep.Customers, rep.Touches} {
					if c.Added != 0 || c.Updated != 0 {
						t.Errorf("re-importing %s changed something: %+v", name, rep)
					}
				}
			}
			if got := dump(t, dst); got != want {
				t.Errorf("a second import changed the database")
			}
			// New promises do not collide with imported ids.
			p, err := dst.AddPromise("", store.Promise{Team: "T1", Text: "new", Owner: "U0ANN", Creator: "U0ANN", Due: t0})
			if err != nil || p.ID != 4 {
				t.Errorf("next promise in T1: id %d, err %v; want 4", p.ID, err)
			}
		})
	}
}

func TestImportReports(t *testing.T) {
	st := open(t)
	seed(t, st)
	csv := "team,id,text,owner,due\n" +
		"T1,1,send the renewal quote (revised),U0ANN,2026-11-24T15:00:00Z\n" + // exists: updated
		"T1,9,a new one,U0BOB,2026-12-01T09:00:00Z\n" // added
	rep, err := importInto(t, st, "p.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Promises != (store.Counts{Added: 1, Updated: 1}) {
		t.Errorf("report %+v", rep.Promises)
	}
	if got := Summary(rep); got != "promises: 1 added, 1 updated, 0 unchanged\n" {
		t.Errorf("Summary = %q", got)
	}
	p, err := st.Promise("T1", 1)
	if err != nil || p.Text != "send the renewal quote (revised)" || p.Created != t0 {
		t.Errorf("promise 1 after import: %+v, %v", p, err)
	}
	// A hand-made file without created: importing it again is no change.
	rep, err = importInto(t, st, "p.csv", []byte(csv))
	if err != nil || rep.Promises != (store.Counts{Unchanged: 2}) {
		t.Errorf("second import: %+v, %v", rep.Promises, err)
	}
}

// TestRefusedWhole: one bad row, anywhere, and nothing is imported; the
// message names the file and the line.
func TestRefusedWhole(t *testing.T) {
	const header = "team,id,text,owner,due\n"
	tests := []struct {
		name string
		data string
		line int
		want string
	}{
		{"bad time", header +
			"T1,1,ok,U0ANN,2026-11-24T15:00:00Z\n" +
			"T1,2,ok too,U0ANN,2026-11-25T15:00:00Z\n" +
			"T1,3,bad,U0ANN,next tuesday\n",
			4, `due is "next tuesday"; use an RFC 3339 time`},
		{"quoted newline before it counts", header +
			"T1,1,\"two\nlines\",U0ANN,2026-11-24T15:00:00Z\n" +
			"T1,x,bad id,U0ANN,2026-11-24T15:00:00Z\n",
			4, `id is "x"; use a whole number`},
		{"refused by the store, not the parser", header +
			"T1,1,ok,U0ANN,2026-11-24T15:00:00Z\n" +
			"T1,2,no owner,,2026-11-24T15:00:00Z\n",
			3, "owner is empty"},
		{"the same id twice", header +
			"T1,1,ok,U0ANN,2026-11-24T15:00:00Z\n" +
			"T1,1,again,U0ANN,2026-11-24T15:00:00Z\n",
			3, "appears twice"},
		{"too few fields", header + "T1,1,ok,U0ANN\n", 2, "has 4 fields, the header has 5"},
		{"unbalanced quote", header + "T1,1,\"ok,U0ANN,2026-11-24T15:00:00Z\n", 2, "quote"},
		{"no team", "id,text,owner,due\n1,ok,U0ANN,2026-11-24T15:00:00Z\n", 2, "team is empty"},
		{"misspelt column", "team,id,text,owner,deu\n", 1, `column "deu" is not a promises column`},
		{"a touch for an unknown customer", "team,customer,at,kind\nT1,Initech,2026-11-24T15:00:00Z,call\n", 2, `customer "Initech" is not in T1`},
		{"bad tier", "team,name,tier\nT1,Acme,gold\n", 2, `tier is "gold"`},
		{"json record", `{"kept_export": 1, "promises": [{"team":"T1","id":1,"text":"x","owner":"U0ANN","due":"2026-11-24T15:00:00Z","state":"done"}]}`,
			0, `promise 1 (T1 #1): state is "done"`},
		{"json syntax", "{\"kept_export\": 1,\n \"promises\": [}\n", 2, "invalid character"},
		{"not a kept export", `{"promises": []}`, 1, "not a Kept export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := open(t)
			_, err := importInto(t, st, "in.csv", []byte(tt.data))
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("error %v, want a *LineError", err)
			}
			if le.Line != tt.line || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q (line %d), want line %d and %q", err, le.Line, tt.line, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "in.csv:") {
				t.Errorf("%q does not name the file", err)
			}
			if d := dump(t, st); strings.Contains(d, `"team"`) {
				t.Errorf("something was imported:\n%s", d)
			}
		})
	}
}

func TestDryRun(t *testing.T) {
	st := open(t)
	f, err := Read(strings.NewReader("name,owner\nAcme,U0ANN\n"), "c.csv", Options{Team: "T1"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.Import(st, true)
	if err != nil || rep.Customers.Added != 1 {
		t.Fatalf("dry run: %+v, %v", rep, err)
	}
	if cs, _ := st.Customers("T1"); len(cs) != 0 {
		t.Errorf("a dry run wrote %v", cs)
	}
	if _, err := f.Import(st, false); err != nil {
		t.Fatal(err)
	}
	c, err := st.Customer("T1", "acme")
	if err != nil || c.Tier != store.StandardTier || c.Owner != "U0ANN" {
		t.Errorf("imported %+v, %v", c, err)
	}
}
