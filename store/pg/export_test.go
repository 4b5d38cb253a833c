package pg

// Freeze makes e stop pinging, as a paused process would, until the
// returned function is called.
func Freeze(e *Elector) (thaw func()) {
	ch := make(chan struct{})
	e.beforePing = func() { <-ch }
	return func() { close(ch) }
}
