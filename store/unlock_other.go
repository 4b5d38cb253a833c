//go:build !unix

package store

import "os"

// release closes f, and with it the lock bbolt took.
func release(f *os.File) { _ = f.Close() }
