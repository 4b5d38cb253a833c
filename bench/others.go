package bench

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The load average counts the bench's own processes (the simulator, the
// kept it runs, PostgreSQL), which on two cores take it above 2 with
// nothing else running. Whether other work shared the CPUs is read
// instead from /proc: the CPU time the whole machine spent, less what
// this process and its descendants spent.

// busyOthers is how many cores other processes may keep busy, on average
// over a section, before its figures count as taken on a busy machine: a
// quarter of a core is a build or a browser tab, not an idle machine.
const busyOthers = 0.25

// cpuSample is one reading: the machine's busy and total ticks, summed
// over its CPUs (/proc/stat), and the ticks of this process's tree.
type cpuSample struct {
	busy, total, ours uint64
	ok                bool
}

// readCPU reads the machine's ticks and those of this process's tree and
// of roots' trees (processes the bench started that were reparented).
func readCPU(roots ...int) cpuSample {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuSample{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return cpuSample{}
	}
	var s cpuSample
	for i, v := range f[1:] {
		n, _ := strconv.ParseUint(v, 10, 64)
		if i >= 8 { // guest time is already in user and nice
			break
		}
		s.total += n
		// user, nice and system: what processes' utime and stime count.
		// Interrupts (the bench's own loopback traffic), steal (another
		// guest) and idle and iowait are no process's work.
		if i <= 2 {
			s.busy += n
		}
	}
	s.ours, s.ok = treeTicks(append(roots, os.Getpid()))
	return s
}

// treeTicks is the CPU ticks (user and system, with those of reaped
// children) of roots and every live process descended from one of them.
func treeTicks(roots []int) (uint64, bool) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		return 0, false
	}
	parent := map[int]int{}
	ticks := map[int]uint64{}
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		if st, ok := parseStat(string(b)); ok {
			parent[st.pid], ticks[st.pid] = st.ppid, st.utime+st.stime+st.cutime+st.cstime
		}
	}
	var sum uint64
	for id, t := range ticks {
		for a, hops := id, 0; a > 0 && hops < 64; a, hops = parent[a], hops+1 {
			if slices.Contains(roots, a) {
				sum += t
				break
			}
		}
	}
	return sum, true
}

// procStat is what the bench reads of a /proc/PID/stat line: the
// process, its parent, and its CPU ticks (USER_HZ) in user and system
// mode, its own and its reaped children's.
type procStat struct {
	pid, ppid                    int
	utime, stime, cutime, cstime uint64
}

// parseStat reads a /proc/PID/stat line. The command name may hold
// spaces and parentheses, so fields are counted from the last ')'.
func parseStat(s string) (procStat, bool) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return procStat{}, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(s[:open]))
	if err != nil {
		return procStat{}, false
	}
	f := strings.Fields(s[end+1:])
	// f[0] is the state (field 3 of stat): ppid is field 4, utime,
	// stime, cutime and cstime 14 to 17.
	if len(f) < 15 {
		return procStat{}, false
	}
	st := procStat{pid: pid}
	st.ppid, err = strconv.Atoi(f[1])
	n := make([]uint64, 4)
	for i, v := range f[11:15] {
		if n[i], err = strconv.ParseUint(v, 10, 64); err != nil {
			return procStat{}, false
		}
	}
	st.utime, st.stime, st.cutime, st.cstime = n[0], n[1], n[2], n[3]
	return st, err == nil
}

// othersCores is how many cores, on average, processes outside this
// bench kept busy between a and b; false when /proc cannot tell.
func othersCores(a, b cpuSample, cores int) (float64, bool) {
	if !a.ok || !b.ok || b.total <= a.total || cores <= 0 {
		return 0, false
	}
	busy := float64(b.busy - a.busy)
	ours := float64(b.ours) - float64(a.ours)
	perCPU := float64(b.total-a.total) / float64(cores)
	return max(busy-ours, 0) / perCPU, true
}
