package store

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// goodFile writes a database with enough promises to fill a few hundred
// pages, closed, and returns its path and bytes.
func goodFile(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kept.db")
	st, err := New(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := make([]Promise, 2000)
	for i := range ps {
		ps[i] = Promise{Team: "T1", ID: int64(i + 1), Text: strings.Repeat("a promise long enough to fill pages ", 3), Owner: "U0ANN", Creator: "U0ANN", Due: time.Now().Add(time.Hour), State: Open}
	}
	if _, err := st.Import(Dump{Promises: ps}, false); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// scribble overwrites the start of every third page after the first few,
// as a bad disk or a stray write would.
func scribble(data []byte) []byte {
	out := append([]byte(nil), data...)
	for i := 8 * 4096; i+4096 < len(out); i += 3 * 4096 {
		for j := range 200 {
			out[i+j] = byte(j*7 + 3)
		}
	}
	return out
}

func oneLine(t *testing.T, err error) {
	t.Helper()
	if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "goroutine") {
		t.Errorf("error is not one line: %q", err)
	}
}

// TestDamagedFilesAreRefused: New and Verify refuse, with one line
// wrapping ErrDamaged and no panic, a file that is empty, truncated or
// not a database at all; an empty file is not made into a new database.
func TestDamagedFilesAreRefused(t *testing.T) {
	_, good := goodFile(t)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "the file is empty (0 bytes)"},
		{"half truncated", good[:len(good)/2], "the file is truncated"},
		{"a few bytes", good[:100], "the file is truncated: 100 bytes"},
		{"not a database", []byte(strings.Repeat("hello, ", 2000)), "not a database file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kept.db")
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			for what, err := range map[string]error{"New": func() error {
				st, err := New(path, Options{})
				if err == nil {
					st.Close()
				}
				return err
			}(), "Verify": Verify(path)} {
				if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "restore the last backup") {
					t.Errorf("%s: %v; want ErrDamaged saying %q", what, err, tt.want)
					continue
				}
				oneLine(t, err)
			}
			if fi, err := os.Stat(path); err != nil || fi.Size() != int64(len(tt.data)) {
				t.Errorf("the file was changed: %v, %d bytes", err, fi.Size())
			}
		})
	}
}

// TestScribbledPagesAreRefused: bbolt opens a file whose pages are
// scribbled on, and one key reads back; the page check in New finds the
// damage.
func TestScribbledPagesAreRefused(t *testing.T) {
	_, good := goodFile(t)
	path := filepath.Join(t.TempDir(), "kept.db")
	if err := os.WriteFile(path, scribble(good), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := New(path, Options{})
	if err == nil {
		st.Close()
	}
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "restore the last backup") {
		t.Fatalf("New: %v, want ErrDamaged", err)
	}
	oneLine(t, err)
	if err := Verify(path); !errors.Is(err, ErrDamaged) {
		t.Errorf("Verify: %v, want ErrDamaged", err)
	}
}

// TestLargeFileOpensWithoutWalkingItsPages: a file over fullCheckAtOpen
// with nothing to migrate opens without a walk of every page (start-up
// at a million promises would take over a second), and without writing
// anything; the first Ping's check finds scribbled pages. With a
// migration to write, the same file is refused before anything is
// written.
func TestLargeFileOpensWithoutWalkingItsPages(t *testing.T) {
	defer func(n int64) { fullCheckAtOpen = n }(fullCheckAtOpen)
	fullCheckAtOpen = 0 // every file is large
	_, good := goodFile(t)
	path := filepath.Join(t.TempDir(), "kept.db")
	// Scribble on the data pages but neither the freelist, which inspect
	// reads on every open, nor the root bucket's page, through which
	// opening reads the schema version.
	meta, ps := good[pageHeaderSize:], 4096
	if m2 := good[ps+pageHeaderSize:]; binary.NativeEndian.Uint64(m2[48:]) > binary.NativeEndian.Uint64(meta[48:]) {
		meta = m2 // the newer meta page
	}
	damaged := scribble(good)
	for _, id := range []uint64{binary.NativeEndian.Uint64(meta[16:]), binary.NativeEndian.Uint64(meta[32:])} {
		at := int(id) * ps
		copy(damaged[at:at+ps], good[at:])
	}
	if err := os.WriteFile(path, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := New(path, Options{})
	if err != nil {
		t.Fatalf("New walked the pages of a large file: %v", err)
	}
	if st.lastCheck.Load() != nil {
		t.Error("New checked the pages of a large file with nothing to migrate")
	}
	for range 100 {
		if err = st.Ping(); err != nil {
			break
		}
		time.Sleep(10 * time.Millisecond) // the check runs in the background
	}
	st.Close()
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("first Pings of a scribbled file: %v, want ErrDamaged", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(damaged) {
		t.Error("opening and pinging the damaged file changed it")
	}

	// An older schema: the migration is about to write, so New walks the
	// pages first and refuses.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaVersion, itob(1)) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	if st, err := New(path, Options{}); !errors.Is(err, ErrDamaged) {
		if err == nil {
			st.Close()
		}
		t.Fatalf("New with a migration pending on a scribbled file: %v, want ErrDamaged", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("New wrote to a damaged file before migrating")
	}
}

// TestPingFindsDamageWhileOpen: pages scribbled on while kept runs (the
// file is mapped, so kept sees them) make Ping fail once a page check has
// run, and for good.
func TestPingFindsDamageWhileOpen(t *testing.T) {
	path, good := goodFile(t)
	st, err := New(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ping(); err != nil {
		t.Fatalf("Ping of a sound file: %v", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(scribble(good)[8*4096:], 8*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st.lastCheck.Store(&pageCheck{}) // the last check is long ago
	for range 100 {
		if err = st.Ping(); err != nil {
			break
		}
		time.Sleep(10 * time.Millisecond) // the check runs in the background
	}
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("Ping after the pages were scribbled on: %v, want ErrDamaged", err)
	}
	oneLine(t, err)
}

func TestSoundFileStaysUsable(t *testing.T) {
	path, _ := goodFile(t)
	st, err := New(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ping(); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if err := Verify(path + ".missing"); err == nil || errors.Is(err, ErrDamaged) {
		t.Errorf("Verify of a missing file: %v", err)
	}
}

// TestVerifyDecodesEveryRecord: pages can be sound while a record is not
// JSON; Verify (kept check, kept backup) names it.
func TestVerifyDecodesEveryRecord(t *testing.T) {
	path, _ := goodFile(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTeams).Bucket([]byte("T1")).Bucket(bucketPromises)
		if err := b.Put(itob(7), []byte(`{"id":7,"text":`)); err != nil {
			return err
		}
		return tx.Bucket(bucketNudges).Put(itob(99), []byte("not json"))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	err = Verify(path)
	var ue *UndecodableError
	if !errors.As(err, &ue) || ue.Total != 2 || !strings.Contains(err.Error(), "T1/promises 0000000000000007") || !strings.Contains(err.Error(), "nudges 0000000000000063") {
		t.Errorf("Verify: %v; want the two undecodable records named", err)
	}
	oneLine(t, err)
}

// TestDueOutsideIndexRefused: a due time the index cannot hold (past
// 2262 it was indexed at 1970; past 9999 it failed to encode) is refused
// by the store whatever path brought it, and nothing is stored.
func TestDueOutsideIndexRefused(t *testing.T) {
	st, err := New(filepath.Join(t.TempDir(), "kept.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, due := range []time.Time{time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if _, err := st.AddPromise("", Promise{Team: "T1", Text: "x", Owner: "U0ANN", Creator: "U0ANN", Due: due}); err == nil || !strings.Contains(err.Error(), "outside what Kept can schedule") {
			t.Errorf("AddPromise due %s: %v", due, err)
		}
		if _, err := st.Import(Dump{Promises: []Promise{{Team: "T1", ID: 5, Text: "x", Owner: "U0ANN", Due: due, State: Open}}}, false); err == nil {
			t.Errorf("Import due %s: no error", due)
		}
	}
	if ps, _ := st.Promises("T1", "", ""); len(ps) != 0 {
		t.Errorf("stored %v", ps)
	}
}
