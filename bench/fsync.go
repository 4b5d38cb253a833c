package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// fsyncFloor measures the disk's floor under a lone command: n times, a
// 4 KiB overwrite of the same block of a file in dir (the database's
// directory, so the same disk and file system) then fdatasync, as bbolt
// commits (it overwrites pages and meta in place and fdatasyncs). It
// returns the times, sorted.
func fsyncFloor(dir string, n int) ([]time.Duration, error) {
	f, err := os.CreateTemp(dir, "fsync-floor-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	block := make([]byte, 4096)
	// Allocate the block first, so that the timed syncs write data only,
	// not the file's size (as a bbolt file that has room to grow into).
	if _, err := f.WriteAt(block, 0); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	out := make([]time.Duration, 0, n)
	for i := range n {
		block[0] = byte(i)
		t := time.Now()
		if _, err := f.WriteAt(block, 0); err != nil {
			return nil, err
		}
		if err := fdatasync(fd); err != nil {
			return nil, fmt.Errorf("fdatasync %s: %w", filepath.Base(f.Name()), err)
		}
		out = append(out, time.Since(t))
	}
	slices.Sort(out)
	return out, nil
}
