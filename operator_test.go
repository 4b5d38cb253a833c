package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/store"
)

// TestRefusesWhatItDoesNotUnderstand: a command line Kept cannot read
// whole is refused with exit 2 and one line that says what to type,
// before anything starts: `kept -db x.db export` used to start a live bot.
func TestRefusesWhatItDoesNotUnderstand(t *testing.T) {
	getenv := env(map[string]string{"SLACK_APP_TOKEN": "xapp-1-x", "SLACK_BOT_TOKEN": "xoxb-x", "SLACK_API_URL": "http://127.0.0.1:1/api/", "KEPT_DB": filepath.Join(t.TempDir(), "x.db")})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-db", "x.db", "export"}, "flags go after the command: kept export -db x.db"},
		{[]string{"-log-level", "debug", "check"}, "flags go after the command: kept check -log-level debug"},
		{[]string{"-db", "x.db", "now"}, `unexpected argument "now"`},
		{[]string{"check", "extra"}, `kept check takes no argument "extra"`},
		{[]string{"health", "now"}, `kept health takes no argument "now"`},
		{[]string{"sim", "x.db"}, `kept sim takes no argument "x.db"`},
		{[]string{"bench", "quick"}, `kept bench takes no argument "quick"`},
		{[]string{"export", "-kind", "invoices"}, "usage: kept export"},
		{[]string{"export", "promises.csv"}, "usage: kept export"},
		{[]string{"import", "a.csv", "-n"}, "usage: kept import"},
		{[]string{"backup"}, "usage: kept backup FILE"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errs := runKept(getenv, tt.args...)
			if code != 2 || !strings.Contains(errs, tt.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want 2 and one line with %q", code, errs, tt.want)
			}
		})
	}
}

// TestCheckUsageNamesValues: flag's usage takes a back-quoted word in a
// setting's help for the name of its value.
func TestCheckUsageNamesValues(t *testing.T) {
	_, _, errs := runKept(env(nil), "check", "-h")
	if strings.Contains(errs, "-metrics-addr kept backup") || !strings.Contains(errs, "'kept health' uses it") {
		t.Errorf("kept check -h:\n%s", errs)
	}
}

func seedDB(t *testing.T, path string) {
	t.Helper()
	st, err := store.New(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.AddPromise("", store.Promise{Team: "T1", Text: "send the quote", Owner: "U0ANN", Creator: "U0ANN", Due: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddCustomer("", store.Customer{Team: "T1", Name: "Acme", Owner: "U0ANN"}); err != nil {
		t.Fatal(err)
	}
}

// TestExportJSONKind: -kind picks what a JSON export holds too.
func TestExportJSONKind(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kept.db")
	seedDB(t, db)
	code, out, errs := runKept(env(map[string]string{"KEPT_DB": db}), "export", "-kind", "customers")
	if code != 0 {
		t.Fatalf("export: %d %s", code, errs)
	}
	var d store.Dump
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Customers) != 1 || len(d.Promises) != 0 || len(d.Touches) != 0 {
		t.Errorf("export -kind customers has %d promises, %d customers, %d touches; want only the customer", len(d.Promises), len(d.Customers), len(d.Touches))
	}
}

// TestImportDryRunCreatesNothing: -n changes nothing, not even by
// creating the database file it would import into.
func TestImportDryRunCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	db, file := filepath.Join(dir, "kept.db"), filepath.Join(dir, "c.csv")
	os.WriteFile(file, []byte("team,name,owner\nT1,Acme,U1\n"), 0o600) // a customer needs an owner, as on every path
	code, out, errs := runKept(env(map[string]string{"KEPT_DB": db}), "import", "-n", file)
	if code != 0 || !strings.Contains(out, "customers: 1 added") {
		t.Errorf("import -n: %d %q %q", code, out, errs)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("import -n left a database file behind: %v", err)
	}
}

// TestBackupIntoDirectory: `kept backup dir/` puts a named copy in dir.
func TestBackupIntoDirectory(t *testing.T) {
	dir := t.TempDir()
	db, to := filepath.Join(dir, "kept.db"), filepath.Join(dir, "backups")
	seedDB(t, db)
	if err := os.Mkdir(to, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{to, to + "/"} {
		code, out, errs := runKept(env(map[string]string{"KEPT_DB": db}), "backup", arg)
		if code != 0 || !strings.Contains(out, "verified") {
			t.Fatalf("kept backup %s: %d %q %q", arg, code, out, errs)
		}
	}
	files, _ := filepath.Glob(filepath.Join(to, "kept-*.db"))
	if len(files) == 0 {
		t.Fatalf("no backup in %s", to)
	}
	if err := store.Verify(files[0]); err != nil {
		t.Error(err)
	}
	code, _, errs := runKept(env(map[string]string{"KEPT_DB": db}), "backup", filepath.Join(dir, "missing")+"/")
	if code != 1 || !strings.Contains(errs, "no directory") {
		t.Errorf("backup into a missing directory: %d %q", code, errs)
	}
}
