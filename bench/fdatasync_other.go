//go:build !linux

package bench

import "syscall"

// fdatasync is fsync where there is no fdatasync, as bbolt does.
func fdatasync(fd int) error { return syscall.Fsync(fd) }
