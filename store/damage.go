package store

// Damaged files. bbolt trusts its file: a truncated one makes Open panic,
// an empty one silently becomes a new database, and scribbled pages make
// reads panic deep in a handler while everything else looks fine. The
// store looks before it opens (inspect), turns bbolt's panics into errors
// (safely), and checks every page on opening and now and then after, so
// that kept refuses to start on a damaged file, and /healthz and `kept
// check` say that the database is unusable.

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged is wrapped by the errors of a database file that cannot be
// used as it is: empty, truncated, or with pages that do not read back.
var ErrDamaged = errors.New("the database file is damaged")

// restoreHint ends every damage message: what an operator can do.
const restoreHint = "restore the last backup (kept backup makes them), or move the file aside to start a new database"

func damaged(path, what string) error {
	return fmt.Errorf("store: %s: %w: %s; %s", path, ErrDamaged, what, restoreHint)
}

// bbolt's file format: two meta pages at the start, each a 16-byte page
// header followed by the meta, whose FNV-64a checksum covers its first 56
// bytes (internal/common/meta.go).
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSumLen     = 56
)

// inspect refuses, before bbolt sees it, a file at path that exists but
// is not whole: empty (an interrupted copy or restore; bbolt would make it
// a new, empty database and ids would restart at #1), too short for its
// own meta page, or shorter than the pages its meta page counts. A missing
// file is fine: New creates it.
func inspect(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	switch {
	case fi.IsDir():
		return fmt.Errorf("store: %s is a directory; KEPT_DB names the database file", path)
	case fi.Size() == 0:
		return damaged(path, "the file is empty (0 bytes), which an interrupted copy or restore leaves; Kept will not start it over as a new database")
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("store: read %s: %w", path, err)
	}
	// bbolt writes the two meta pages in turn and reads the valid one
	// with the higher transaction id.
	m, ok := readMeta(head[:n])
	if m.pageSize >= 1024 && m.pageSize <= 1<<16 {
		second := make([]byte, pageHeaderSize+metaSumLen+8)
		if _, err := f.ReadAt(second, int64(m.pageSize)); err == nil {
			if m2, ok2 := readMeta(second); ok2 && (!ok || m2.txid > m.txid) {
				m, ok = m2, true
			}
		}
	}
	if !ok {
		return damaged(path, fmt.Sprintf("it is not a database file (%d bytes, no valid bbolt header)", fi.Size()))
	}
	if need := int64(m.pgid) * int64(m.pageSize); fi.Size() < need {
		return damaged(path, fmt.Sprintf("the file is truncated: %d bytes, its pages need %d", fi.Size(), need))
	}
	// bbolt reads the freelist in Open and panics on a bad one, leaving
	// the file locked until the process ends: look at it first.
	if err := inspectFreelist(f, m); err != nil {
		return damaged(path, "the free page list does not read back ("+err.Error()+")")
	}
	return nil
}

const (
	noFreelist       = ^uint64(0)
	freelistPageFlag = 0x10
)

// inspectFreelist checks the page m names as its freelist: its header,
// and that every page id it lists lies in the file.
func inspectFreelist(f *os.File, m boltMeta) error {
	if m.freelist == noFreelist {
		return nil
	}
	if m.freelist < 2 || m.freelist >= m.pgid {
		return fmt.Errorf("freelist page %d is outside the file's %d pages", m.freelist, m.pgid)
	}
	ps := int64(m.pageSize)
	hdr := make([]byte, pageHeaderSize+8)
	if _, err := f.ReadAt(hdr, int64(m.freelist)*ps); err != nil {
		return err
	}
	le := binary.NativeEndian
	id, flags, count, overflow := le.Uint64(hdr), le.Uint16(hdr[8:]), uint64(le.Uint16(hdr[10:])), uint64(le.Uint32(hdr[12:]))
	// bbolt takes the page only if its flags are the freelist's and
	// nothing else (common.Page.IsFreelistPage), and panics otherwise.
	if id != m.freelist || flags != freelistPageFlag || m.freelist+overflow >= m.pgid {
		return fmt.Errorf("page %d is not a freelist page", m.freelist)
	}
	skip := uint64(0)
	if count == 0xFFFF {
		count, skip = le.Uint64(hdr[pageHeaderSize:]), 1
	}
	if (count+skip)*8 > (overflow+1)*uint64(ps)-pageHeaderSize {
		return fmt.Errorf("freelist page %d lists more pages than it holds", m.freelist)
	}
	ids := make([]byte, count*8)
	if _, err := f.ReadAt(ids, int64(m.freelist)*ps+pageHeaderSize+int64(skip*8)); err != nil {
		return err
	}
	for i := 0; i < len(ids); i += 8 {
		if p := le.Uint64(ids[i:]); p < 2 || p >= m.pgid {
			return fmt.Errorf("freelist page %d lists page %d, outside the file's %d pages", m.freelist, p, m.pgid)
		}
	}
	return nil
}

type boltMeta struct {
	pageSize             uint32
	freelist, pgid, txid uint64
}

// readMeta reads a meta page at the start of b; ok says whether its
// magic, version and checksum hold. pageSize is filled whenever the magic
// does, so that a caller can find the second meta page.
func readMeta(b []byte) (m boltMeta, ok bool) {
	if len(b) < pageHeaderSize+metaSumLen+8 {
		return m, false
	}
	meta := b[pageHeaderSize:]
	le := binary.NativeEndian
	if le.Uint32(meta[0:]) != boltMagic {
		return m, false
	}
	m.pageSize = le.Uint32(meta[8:])
	if le.Uint32(meta[4:]) != boltVersion {
		return m, false
	}
	h := fnv.New64a()
	h.Write(meta[:metaSumLen])
	if h.Sum64() != le.Uint64(meta[metaSumLen:]) {
		return m, false
	}
	m.freelist = le.Uint64(meta[32:])
	m.pgid = le.Uint64(meta[40:])
	m.txid = le.Uint64(meta[48:])
	return m, true
}

// openBolt opens path with bbolt (after inspect), turning a panic into
// an error wrapping ErrDamaged. bbolt locks the file before it reads the
// meta and freelist pages, and a panic there skips its own cleanup: the
// lock would stay held until the process ends, and the next open in this
// process (a restore, kept check, a test) would say another kept is
// running. So the file bbolt opens is kept at hand and released. (The
// mapping of the file stays until the process ends: bbolt does not say
// where it is; a damaged file is refused once, so that is one file's
// worth of address space.)
func openBolt(path string, opts bolt.Options) (*bolt.DB, error) {
	var f *os.File
	opts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		file, err := os.OpenFile(name, flag, perm)
		f = file
		return file, err
	}
	var db *bolt.DB
	err := safely(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, &opts)
		return err
	})
	if errors.Is(err, ErrDamaged) && db == nil && f != nil {
		release(f)
	}
	return db, err
}

// safely runs fn, turning a panic, and a memory fault on the mapped file
// (a page past a truncated end), into an error: bbolt panics on pages it
// cannot read, and a stack trace is no way to tell an operator.
func safely(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged(path, fmt.Sprintf("a page does not read back (%v)", r))
		}
	}()
	return fn()
}

// checkPages walks every page, in a write transaction that it rolls
// back (bbolt's Check is safe beside other transactions only so), and
// remembers damage for good: a damaged file does not heal. New runs it
// before it returns; Ping again now and then (pageCheckDue), so that
// /healthz says the database is unusable rather than ok while requests
// fail. It takes about 2s for a million promises (780 MB), during which
// writes wait.
func (s *Bolt) checkPages() error {
	began := time.Now()
	err := safely(s.path, func() error {
		tx, err := s.db.Begin(true)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for err := range tx.Check() {
			return fmt.Errorf("%w: %v; %s", ErrDamaged, err, restoreHint) // the first says enough
		}
		return nil
	})
	s.lastCheck.Store(&pageCheck{at: time.Now(), took: time.Since(began)})
	if errors.Is(err, ErrDamaged) {
		if !strings.HasPrefix(err.Error(), "store:") {
			err = fmt.Errorf("store: %s: %w", s.path, err)
		}
		s.damage.CompareAndSwap(nil, &err)
	}
	return err
}

type pageCheck struct {
	at   time.Time
	took time.Duration
}

// pageCheckDue says whether Ping should check the pages again: a minute
// after the last check, or a hundred times as long as it took, so that a
// large database spends at most 1% of its time with writes waiting.
func (s *Bolt) pageCheckDue() bool {
	last := s.lastCheck.Load()
	return last == nil || time.Since(last.at) > max(time.Minute, 100*last.took)
}

// Damaged is the damage a page check found, wrapping ErrDamaged, or nil.
func (s *Bolt) Damaged() error {
	if e := s.damage.Load(); e != nil {
		return *e
	}
	return nil
}

// Undecodable is a stored record that does not decode: where it is and why.
type Undecodable struct {
	Bucket string // "T1/promises", "nudges", …
	Key    []byte
	Err    error
}

func (u Undecodable) Error() string {
	return fmt.Sprintf("%s %x: %v", u.Bucket, u.Key, u.Err)
}

// decoders decode the records of each bucket that holds JSON: a team's
// buckets by name, then the top-level ones.
var (
	teamDecoders = map[string]func([]byte) error{
		string(bucketPromises):  func(v []byte) error { var r record; return json.Unmarshal(v, &r) },
		string(bucketCustomers): func(v []byte) error { var r customerRecord; return json.Unmarshal(v, &r) },
		string(bucketTouches):   func(v []byte) error { _, err := decodeTouch(v); return err },
	}
	topDecoders = map[string]func([]byte) error{
		string(bucketNudges): func(v []byte) error { var n Nudge; return json.Unmarshal(v, &n) },
		string(bucketOps):    func(v []byte) error { var r opRecord; return json.Unmarshal(v, &r) },
		string(bucketSubs):   func(v []byte) error { var s Subscription; return json.Unmarshal(v, &s) },
	}
)

// undecodable decodes every record in tx and lists those that fail, up to
// limit of them; total counts them all.
func undecodable(tx *bolt.Tx, limit int) (bad []Undecodable, total int, err error) {
	note := func(bucket string, k []byte, derr error) {
		total++
		if len(bad) < limit {
			bad = append(bad, Undecodable{bucket, append([]byte(nil), k...), derr})
		}
	}
	walk := func(b *bolt.Bucket, name string, decode func([]byte) error) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return nil // a nested bucket
			}
			if derr := decode(v); derr != nil {
				note(name, k, derr)
			}
			return nil
		})
	}
	for name, decode := range topDecoders {
		if b := tx.Bucket([]byte(name)); b != nil {
			if err := walk(b, name, decode); err != nil {
				return bad, total, err
			}
		}
	}
	teams := tx.Bucket(bucketTeams)
	if teams == nil {
		return bad, total, nil
	}
	err = teams.ForEachBucket(func(team []byte) error {
		t := teams.Bucket(team)
		for name, decode := range teamDecoders {
			if b := t.Bucket([]byte(name)); b != nil {
				if err := walk(b, string(team)+"/"+name, decode); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return bad, total, err
}
