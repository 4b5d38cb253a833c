package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg"
	"github.com/keptbot/kept/store/pg/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// kept migrate copies a bbolt database, owed nudges included, into an
// empty PostgreSQL database and verifies the counts; it refuses a used
// one; kept check then reports the schema and privileges, and a user
// without privileges is told which are missing.
func TestMigrateAndCheck(t *testing.T) {
	cluster := pgtest.Shared(t)
	url := cluster.NewDatabase(t)
	file := filepath.Join(t.TempDir(), "kept.db")
	now := time.Now()
	src, err := store.New(file, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if _, err := src.AddPromise("", store.Promise{Team: "T1", Owner: "U1", Creator: "U1", Text: "call", Due: now.Add(time.Duration(i-3) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := src.AddCustomer("", store.Customer{Team: "T1", Name: "Acme", Owner: "U1", Cadence: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.AddTouch("", store.Touch{Team: "T1", Customer: "acme", By: "U1", Kind: "call"}); err != nil {
		t.Fatal(err)
	}
	owed, err := src.ClaimDue(now, store.Policy{OverdueAfter: 24 * time.Hour}, 0) // four reminders claimed, not yet sent
	if err != nil || len(owed) != 4 {
		t.Fatalf("claimed %d (%v)", len(owed), err)
	}
	src.Close()

	getenv := env(map[string]string{"KEPT_DB": url})
	code, out, errs := runKept(getenv, "migrate", "-n", "-from", file)
	if code != 0 || !strings.Contains(out, "dry run") || !strings.Contains(out, "30 promises") {
		t.Fatalf("dry run: %d %q %q", code, out, errs)
	}
	code, out, errs = runKept(getenv, "migrate", "-from", file)
	if code != 0 || !strings.Contains(out, "verified: 30 promises, 1 customers, 1 touches, 4 owed nudges") {
		t.Fatalf("migrate: %d %q %q", code, out, errs)
	}
	if strings.Contains(out+errs, "@127.0.0.1") && strings.Contains(out+errs, "password") {
		t.Fatalf("printed a password: %q", out+errs)
	}
	dst, err := pg.Open(context.Background(), url, pg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	pending, err := dst.PendingNudges(now, 0)
	if err != nil || len(pending) != 4 {
		t.Fatalf("%d owed nudges in PostgreSQL (%v), want 4", len(pending), err)
	}
	// The reminders already claimed are not claimed again.
	if again, err := dst.ClaimDue(now, store.Policy{OverdueAfter: 24 * time.Hour}, 0); err != nil || len(again) != 0 {
		t.Fatalf("claimed %d again (%v)", len(again), err)
	}
	if p, err := dst.AddPromise("", store.Promise{Team: "T1", Owner: "U1", Text: "next", Due: now}); err != nil || p.ID != 31 {
		t.Fatalf("the next promise is #%d (%v), want #31", p.ID, err)
	}
	code, _, errs = runKept(getenv, "migrate", "-from", file)
	if code == 0 || !strings.Contains(errs, "already holds") {
		t.Fatalf("migrate into a used database: %d %q", code, errs)
	}

	var buf bytes.Buffer
	c := &checker{w: &buf}
	checkDB(context.Background(), c, config.Config{DB: url})
	if c.failed || !strings.Contains(buf.String(), fmt.Sprintf("schema version %d, privileges complete", pg.SchemaVersion)) {
		t.Fatalf("check: %s", buf.String())
	}
	// A user who may log in but not write.
	if err := cluster.Exec(context.Background(), `CREATE ROLE reader LOGIN`); err != nil {
		t.Fatal(err)
	}
	reader := strings.Replace(url, "kept@", "reader@", 1)
	buf.Reset()
	c = &checker{w: &buf}
	checkDB(context.Background(), c, config.Config{DB: reader})
	if !c.failed || !strings.Contains(buf.String(), "lacks SELECT on meta") {
		t.Fatalf("check as a user without privileges: %s", buf.String())
	}
	// A database kept never started on.
	buf.Reset()
	c = &checker{w: &buf}
	checkDB(context.Background(), c, config.Config{DB: cluster.NewDatabase(t)})
	if c.failed || !strings.Contains(buf.String(), "no Kept tables yet") {
		t.Fatalf("check of an empty database: %s", buf.String())
	}
	// kept backup points at PostgreSQL's own tools.
	code, _, errs = runKept(getenv, "backup", filepath.Join(t.TempDir(), "b.db"))
	if code != 2 || !strings.Contains(errs, "pg_dump") {
		t.Fatalf("backup on PostgreSQL: %d %q", code, errs)
	}
	// export reads PostgreSQL directly.
	code, out, errs = runKept(getenv, "export")
	if code != 0 || strings.Count(out, `"text"`) != 31 {
		t.Fatalf("export: %d %q (%d promises)", code, errs, strings.Count(out, `"text"`))
	}
}
