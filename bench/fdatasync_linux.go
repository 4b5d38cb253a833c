package bench

import "syscall"

// fdatasync is what bbolt calls to commit on Linux.
func fdatasync(fd int) error { return syscall.Fdatasync(fd) }
