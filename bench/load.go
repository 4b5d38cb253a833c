package bench

import (
	"bytes"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// loadSampler reads the 1-minute load average every period for the whole
// bench, so that each section can say how busy the machine was while it
// ran: a figure taken beside other work does not reproduce.
type loadSampler struct {
	mu      sync.Mutex
	samples []float64
	done    chan struct{}
	wg      sync.WaitGroup
}

func startLoad(period time.Duration) *loadSampler {
	l := &loadSampler{done: make(chan struct{})}
	l.sample()
	l.wg.Go(func() {
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-l.done:
				return
			case <-t.C:
				l.sample()
			}
		}
	})
	return l
}

func (l *loadSampler) sample() {
	v, ok := LoadAverage()
	if !ok {
		return
	}
	l.mu.Lock()
	l.samples = append(l.samples, v)
	l.mu.Unlock()
}

// now is the latest sample.
func (l *loadSampler) now() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.samples) == 0 {
		return 0
	}
	return l.samples[len(l.samples)-1]
}

// mark takes a sample and returns its position, for since.
func (l *loadSampler) mark() int {
	l.sample()
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(len(l.samples)-1, 0)
}

// since takes a sample and returns the lowest and highest since mark.
func (l *loadSampler) since(mark int) (lo, hi float64) {
	l.sample()
	l.mu.Lock()
	defer l.mu.Unlock()
	if mark >= len(l.samples) {
		return 0, 0
	}
	lo, hi = l.samples[mark], l.samples[mark]
	for _, v := range l.samples[mark:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

func (l *loadSampler) stop() {
	close(l.done)
	l.wg.Wait()
}

// LoadAverage is the 1-minute load average from /proc/loadavg.
func LoadAverage() (float64, bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	return v, err == nil
}

// Commit is the commit this binary was built from, as Go's build
// information records it (go build in a git checkout), shortened, with
// "+dirty" when the tree had uncommitted changes. Where it was not
// recorded (go test, go run, -buildvcs=false in GOFLAGS) it is the
// checkout in the working directory, as git says, marked "(cwd)"; else
// "unknown".
func Commit() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		var rev string
		dirty := false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			return short(rev, dirty)
		}
	}
	rev, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	status, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	return short(strings.TrimSpace(string(rev)), err != nil || len(bytes.TrimSpace(status)) > 0) + " (cwd)"
}

func short(rev string, dirty bool) string {
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}
