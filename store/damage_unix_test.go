//go:build unix

package store

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// flaggedFreelist is good with the flags of its freelist page made
// freelist|leaf: inspect once took the page for a freelist (it tested one
// bit), and bbolt's Open panics on it, after it has locked the file.
func flaggedFreelist(t *testing.T, good []byte) []byte {
	t.Helper()
	m, ok := readMeta(good)
	if m2, ok2 := readMeta(good[m.pageSize:]); ok2 && (!ok || m2.txid > m.txid) {
		m, ok = m2, true
	}
	if !ok || m.freelist == noFreelist {
		t.Fatalf("the good file has no freelist page to damage: %+v", m)
	}
	bad := append([]byte(nil), good...)
	binary.NativeEndian.PutUint16(bad[int(m.freelist)*int(m.pageSize)+8:], freelistPageFlag|0x02)
	return bad
}

// TestPanicInOpenReleasesTheLock: damage the pre-check misses makes
// bbolt's Open panic once it holds the file's lock. The store turns the
// panic into one line wrapping ErrDamaged and lets the lock go, so that
// the same process can open the file again (after a restore, say) instead
// of hearing that another kept is running.
func TestPanicInOpenReleasesTheLock(t *testing.T) {
	_, good := goodFile(t)
	path := filepath.Join(t.TempDir(), "kept.db")
	if err := os.WriteFile(path, flaggedFreelist(t, good), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(path, Options{}); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "not a freelist page") {
		t.Errorf("New: %v; want ErrDamaged from the pre-check, naming the freelist page", err)
	}
	// Past the pre-check, as damage it does not know would get. (Read-only,
	// bbolt does not read the freelist in Open.)
	db, err := openBolt(path, bolt.Options{Timeout: 100 * time.Millisecond})
	if db != nil || !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "restore the last backup") {
		t.Fatalf("openBolt: %v, %v; want ErrDamaged", db, err)
	}
	oneLine(t, err)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	f.Close() // and with it the lock just taken
	if err != nil {
		t.Errorf("after the panic the file is still locked: %v", err)
	}
	// Restored, the file opens in this same process.
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := New(path, Options{})
	if err != nil {
		t.Fatalf("New after a restore: %v", err)
	}
	st.Close()
}
