package transfer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/store"
)

// TestForgedIDsAndLinks: an import file is not typed in Slack; whatever
// it carries in an id or a link must be what Slack makes, or a message
// Kept posts later would ping @channel or link elsewhere.
func TestForgedIDsAndLinks(t *testing.T) {
	const promise = "team,id,text,owner,creator,channel,permalink,due\n"
	const due = "2026-11-24T15:00:00Z"
	tests := []struct {
		name, data, want string
	}{
		{"owner with markup", promise + "T1,1,x,U0NOPE> <!channel,,,," + due + "\n", `owner is "U0NOPE> <!channel", not a Slack user id`},
		{"owner lower case", promise + "T1,1,x,u0ann,,,," + due + "\n", "not a Slack user id"},
		{"creator a channel", promise + "T1,1,x,U0ANN,C0SALES,,," + due + "\n", `creator is "C0SALES"`},
		{"channel with markup", promise + "T1,1,x,U0ANN,,C0X|<!here>,," + due + "\n", "not a Slack channel id"},
		{"channel a user", promise + "T1,1,x,U0ANN,,U0ANN,," + due + "\n", "not a Slack channel id"},
		{"team with markup", promise + "T1 <!channel>,1,x,U0ANN,,,," + due + "\n", "not a Slack workspace id"},
		{"team lower case", promise + "t1,1,x,U0ANN,,,," + due + "\n", "not a Slack workspace id"},
		{"permalink elsewhere", promise + "T1,1,x,U0ANN,,,https://evil.example/archives/C0SALES/p1700000000000100," + due + "\n", "not a link to a Slack message"},
		{"permalink look-alike host", promise + "T1,1,x,U0ANN,,,https://acme.slack.com.evil.example/archives/C0SALES/p1700000000000100," + due + "\n", "not a link to a Slack message"},
		{"permalink with markup", promise + "T1,1,x,U0ANN,,,https://acme.slack.com/archives/C0SALES/p1700000000000100|click me," + due + "\n", "not a link to a Slack message"},
		{"permalink over http", promise + "T1,1,x,U0ANN,,,http://acme.slack.com/archives/C0SALES/p1700000000000100," + due + "\n", "not a link to a Slack message"},
		{"permalink not a message", promise + "T1,1,x,U0ANN,,,https://acme.slack.com/admin," + due + "\n", "not a link to a Slack message"},
		{"customer owner", "team,name,owner\nT1,Acme,<@U0ANN>\n", "not a Slack user id"},
		{"customer last_by", "team,name,owner,last_by\nT1,Acme,U0ANN,<!everyone>\n", `last_by is "<!everyone>"`},
		{"touch by", "team,customer,by,at,kind\nT1,Acme,U0ANN|x," + due + ",call\n", "by is"},
		{"json owner", `{"kept_export":1,"promises":[{"team":"T1","id":1,"text":"x","owner":"U0ANN> <!channel","due":"` + due + `","state":"open"}]}`, "not a Slack user id"},
		{"json permalink", `{"kept_export":1,"promises":[{"team":"T1","id":1,"text":"x","owner":"U0ANN","permalink":"https://evil.example/","due":"` + due + `","state":"open"}]}`, "not a link to a Slack message"},
		{"-team", "", "not a Slack workspace id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Now: func() time.Time { return t0 }}
			if tt.name == "-team" {
				opts.Team, tt.data = "T1> <!here", "name,owner\nAcme,U0ANN\n"
			}
			_, err := Read(strings.NewReader(tt.data), "in.csv", opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read: %v, want %q", err, tt.want)
			}
		})
	}
	// What Slack makes passes.
	good := promise + "T0KEPT,1,x,W0ANN,U0BOB,G0PRIV,https://acme.slack.com/archives/C0SALES/p1700000000000100?thread_ts=1700000000.000100&cid=C0SALES," + due + "\n"
	if _, err := Read(strings.NewReader(good), "in.csv", Options{Now: func() time.Time { return t0 }}); err != nil {
		t.Errorf("Read of ids and a permalink Slack makes: %v", err)
	}
}

// TestEveryBadRowReported: a spreadsheet is fixed in one go, not a row a
// run.
func TestEveryBadRowReported(t *testing.T) {
	data := "team,id,text,owner,due\n" +
		"T1,1,ok,U0ANN,2026-11-24T15:00:00Z\n" +
		"T1,2,bad due,U0ANN,friday\n" +
		"T1,3,ok,U0ANN,2026-11-24T15:00:00Z\n" +
		"T1,x,bad id,U0ANN,2026-11-24T15:00:00Z\n" +
		"T1,5,bad owner,@ann,2026-11-24T15:00:00Z\n" +
		"T1,6,short\n"
	_, err := Read(strings.NewReader(data), "p.csv", Options{Now: func() time.Time { return t0 }})
	var all *Errors
	if !errors.As(err, &all) || all.Total != 4 {
		t.Fatalf("Read: %v; want the 4 bad rows", err)
	}
	for _, want := range []string{`p.csv:3: due is "friday"`, `p.csv:5: id is "x"`, `p.csv:6: owner is "@ann"`, "p.csv:7: has 3 fields"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the report lacks %q:\n%v", want, err)
		}
	}
	// Past maxReported, a count.
	var many strings.Builder
	many.WriteString("team,id,text,owner,due\n")
	for i := range maxReported + 7 {
		fmt.Fprintf(&many, "T1,%d,x,U0ANN,never\n", i+1)
	}
	_, err = Read(strings.NewReader(many.String()), "p.csv", Options{})
	if !errors.As(err, &all) || all.Total != maxReported+7 || len(all.Lines) != maxReported || !strings.HasSuffix(err.Error(), "… and 7 more rows refused") {
		t.Errorf("a file wrong throughout: %v", err)
	}
}

// TestIDAndTimeBounds: an id past MaxID (next to MaxInt64 the next id
// went negative) and times the store cannot index are refused.
func TestIDAndTimeBounds(t *testing.T) {
	const header = "team,id,text,owner,due\n"
	tests := []struct {
		row, want string
	}{
		{"T1,9223372036854775807,x,U0ANN,2026-11-24T15:00:00Z", "ids go up to 1000000000"},
		{"T1,1000000001,x,U0ANN,2026-11-24T15:00:00Z", "ids go up to"},
		{"T1,1,x,U0ANN,2263-01-01T00:00:00Z", "more than 100 years ahead"},
		{"T1,1,x,U0ANN,9999-12-31T23:59:59Z", "more than 100 years ahead"},
		{"T1,1,x,U0ANN,2127-01-01T00:00:00Z", "more than 100 years ahead"},
		{"T1,1,x,U0ANN,1969-12-31T23:59:59Z", "before 1970"},
	}
	for _, tt := range tests {
		_, err := Read(strings.NewReader(header+tt.row+"\n"), "p.csv", Options{Now: func() time.Time { return t0 }})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.row, err, tt.want)
		}
	}
	for _, row := range []string{"T1,1000000000,x,U0ANN,2026-11-24T15:00:00Z", "T1,1,x,U0ANN,2126-12-31T00:00:00Z"} {
		if _, err := Read(strings.NewReader(header+row+"\n"), "p.csv", Options{Now: func() time.Time { return t0 }}); err != nil {
			t.Errorf("%s: %v", row, err)
		}
	}
	cust := "team,name,owner,next_prompt\nT1,Acme,U0ANN,2300-01-01T00:00:00Z\n"
	if _, err := Read(strings.NewReader(cust), "c.csv", Options{Now: func() time.Time { return t0 }}); err == nil || !strings.Contains(err.Error(), "next_prompt") {
		t.Errorf("a next check-in in 2300: %v", err)
	}
}

// TestPartialCSV: a file with some columns updates those and leaves the
// rest as stored: tier, cadence, next check-in and the name's spelling.
func TestPartialCSV(t *testing.T) {
	st := open(t)
	seed(t, st)
	before, err := st.Customer("T1", "acme corp")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importInto(t, st, "owners.csv", []byte("team,name,owner\nT1,ACME  corp,U0BOB\n")); err != nil {
		t.Fatal(err)
	}
	after, err := st.Customer("T1", "acme corp")
	if err != nil {
		t.Fatal(err)
	}
	want := before
	want.Owner = "U0BOB"
	if after.Name != "Acme Corp" || after.Tier != store.KeyTier || after.Cadence != before.Cadence || !after.NextPrompt.Equal(before.NextPrompt) || after.Notes != before.Notes || !after.LastTouch.Equal(before.LastTouch) {
		t.Errorf("after a name,owner import: %+v\nwas %+v", after, before)
	}
	if after.Owner != "U0BOB" {
		t.Errorf("owner %q, want U0BOB", after.Owner)
	}

	// A cadence column changes the cadence, and the next check-in with it.
	if _, err := importInto(t, st, "cadence.csv", []byte("team,name,cadence\nT1,acme corp,every 3 months\n")); err != nil {
		t.Fatal(err)
	}
	c, _ := st.Customer("T1", "acme corp")
	if c.Cadence != 90*24*time.Hour || c.Owner != "U0BOB" || c.Tier != store.KeyTier || c.NextPrompt.Equal(before.NextPrompt) {
		t.Errorf("after a cadence import: %+v", c)
	}

	// Promises too: a file of ids and due dates moves only the dates.
	p1, _ := st.Promise("T1", 1)
	newDue := p1.Due.Add(48 * time.Hour)
	if _, err := importInto(t, st, "due.csv", []byte(fmt.Sprintf("team,id,text,owner,due\nT1,1,%s,%s,%s\n", p1.Text, p1.Owner, newDue.Format(time.RFC3339)))); err != nil {
		t.Fatal(err)
	}
	p2, _ := st.Promise("T1", 1)
	if !p2.Due.Equal(newDue) || p2.Customer != p1.Customer || p2.Creator != p1.Creator || p2.Channel != p1.Channel || p2.Zone != p1.Zone || len(p2.History) < len(p1.History) {
		t.Errorf("after a partial promise import: %+v\nwas %+v", p2, p1)
	}
}

// TestCadencesAsTyped: a CSV's cadence is read as /customer reads one.
func TestCadencesAsTyped(t *testing.T) {
	day := 24 * time.Hour
	for in, want := range map[string]time.Duration{"14d": 14 * day, "2w": 14 * day, "every 3 months": 90 * day, "monthly": 30 * day, "never": 0, "336h0m0s": 14 * day} {
		f, err := Read(strings.NewReader("team,name,owner,cadence\nT1,Acme,U0ANN,"+in+"\n"), "c.csv", Options{})
		if err != nil || f.Dump.Customers[0].Cadence != want {
			t.Errorf("cadence %q: %v, %v; want %v", in, f, err, want)
		}
	}
	for _, in := range []string{"12h", "every 3 years", "sometimes", "-14d"} {
		if _, err := Read(strings.NewReader("team,name,owner,cadence\nT1,Acme,U0ANN,"+in+"\n"), "c.csv", Options{}); err == nil || !strings.Contains(err.Error(), "cadence") {
			t.Errorf("cadence %q: %v, want a refusal", in, err)
		}
	}
}

// TestCSVFormulasDefused: a cell a spreadsheet would run as a formula is
// written with a leading quote, and read back as it was.
func TestCSVFormulasDefused(t *testing.T) {
	st := open(t)
	texts := []string{"=HYPERLINK(\"http://evil.example\",\"click\")", "+1 call", "-5% discount", "@ann to call", "\tindented", "\rcarriage", "'=quoted already", "''+twice", "plain text", "it's = fine"}
	for i, text := range texts {
		if _, err := st.AddPromise("", store.Promise{Team: "T1", Text: text, Owner: "U0ANN", Creator: "U0ANN", Due: t0.Add(time.Duration(i+1) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.AddCustomer("", store.Customer{Team: "T1", Name: "=cmd|' /C calc'!A0", Owner: "U0ANN", Notes: "@SUM(1+1)"}); err != nil {
		t.Fatal(err)
	}
	out := exportAs(t, st, "csv", Promises)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
	}
	cust := exportAs(t, st, "csv", Customers)
	if bytes.Contains(cust, []byte(",=cmd")) || bytes.Contains(cust, []byte(",@SUM")) {
		t.Errorf("customers CSV:\n%s", cust)
	}
	// Read back, the texts are as typed.
	dst := open(t)
	if _, err := importInto(t, dst, "p.csv", out); err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		p, err := dst.Promise("T1", int64(i+1))
		if err != nil || p.Text != text {
			t.Errorf("#%d read back as %q, %v; want %q", i+1, p.Text, err, text)
		}
	}
}
