//go:build unix

package store

import (
	"os"
	"syscall"
)

// release drops the lock bbolt took on f and closes it. Closing alone is
// not enough: the lock belongs to the open file, which bbolt's mapping of
// it keeps alive after the descriptor is closed.
func release(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	_ = f.Close()
}
