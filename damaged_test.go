package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/store"
)

// damagedFiles are real damaged database files, made from a sound one:
// what an interrupted restore, a full disk or a bad block leaves.
func damagedFiles(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	st, err := store.New(good, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := make([]store.Promise, 2000)
	for i := range ps {
		ps[i] = store.Promise{Team: "T1", ID: int64(i + 1), Text: strings.Repeat("a promise long enough to fill pages ", 3), Owner: "U0ANN", Creator: "U0ANN", Due: time.Now().Add(time.Hour), State: store.Open}
	}
	if _, err := st.Import(store.Dump{Promises: ps}, false); err != nil {
		t.Fatal(err)
	}
	st.Close()
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	scribbled := append([]byte(nil), data...)
	for i := 8 * 4096; i+4096 < len(scribbled); i += 3 * 4096 {
		for j := range 200 {
			scribbled[i+j] = byte(j*7 + 3)
		}
	}
	out := map[string]string{}
	for name, b := range map[string][]byte{"empty": nil, "truncated": data[:len(data)/2], "scribbled": scribbled} {
		out[name] = filepath.Join(dir, name+".db")
		if err := os.WriteFile(out[name], b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// wantOneLine checks that a command refused a damaged file with a
// non-zero exit and one clear line, no stack trace.
func wantOneLine(t *testing.T, what string, code int, stderr string) {
	t.Helper()
	if code == 0 || strings.Contains(stderr, "goroutine") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 ||
		!strings.Contains(stderr, "damaged") || !strings.Contains(stderr, "restore the last backup") {
		t.Errorf("%s: exit %d, stderr %q; want a non-zero exit and one line saying the file is damaged", what, code, stderr)
	}
}

// TestDamagedDatabase: kept, kept backup, kept export and kept import
// each refuse a damaged file in one line with a non-zero exit, and kept
// check reports it as a FAIL line; none panics, and an empty file stays
// empty rather than becoming a new database.
func TestDamagedDatabase(t *testing.T) {
	for name, db := range damagedFiles(t) {
		t.Run(name, func(t *testing.T) {
			getenv := env(map[string]string{"SLACK_APP_TOKEN": "xapp-1-x", "SLACK_BOT_TOKEN": "xoxb-x", "SLACK_API_URL": "http://127.0.0.1:1/api/", "KEPT_DB": db})
			before, _ := os.ReadFile(db)

			code, _, errs := runKept(getenv)
			wantOneLine(t, "kept", code, errs)
			code, _, errs = runKept(getenv, "backup", filepath.Join(t.TempDir(), "b.db"))
			wantOneLine(t, "kept backup", code, errs)
			code, _, errs = runKept(getenv, "export")
			wantOneLine(t, "kept export", code, errs)
			csv := filepath.Join(t.TempDir(), "c.csv")
			os.WriteFile(csv, []byte("team,name\nT1,Acme\n"), 0o600)
			code, _, errs = runKept(getenv, "import", csv)
			wantOneLine(t, "kept import", code, errs)

			code, out, errs := runKept(getenv, "check")
			if code != 1 || !strings.Contains(out, "FAIL  database: ") || !strings.Contains(out, "damaged") || strings.Contains(out+errs, "goroutine") {
				t.Errorf("kept check: exit %d\n%s%s", code, out, errs)
			}
			if after, _ := os.ReadFile(db); string(after) != string(before) {
				t.Errorf("the damaged file was changed: %d bytes, was %d", len(after), len(before))
			}
		})
	}
}
