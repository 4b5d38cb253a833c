package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/keptbot/kept/slacksim"
)

// child is the real kept binary running as its own process against a
// simulator in this one, so that what it costs (CPU, memory) is read from
// /proc apart from the load driver's.
type child struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	// start is from exec to the bot's Socket Mode connection.
	start time.Duration
}

// startChild runs `binary run` on db (a file or a postgres:// URL) against
// sim, with env added to its environment, and waits for its socket.
func startChild(ctx context.Context, binary string, sim *slacksim.Server, db string, env ...string) (*child, error) {
	c := &child{cmd: exec.CommandContext(ctx, binary, "run")}
	c.cmd.Env = append(childEnv(sim, db), env...)
	c.cmd.Stderr = &c.stderr
	conns := sim.Connections()
	began := time.Now()
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sim.Wait(wctx, func() bool { return sim.Connections() > conns }); err != nil {
		c.stop()
		return nil, fmt.Errorf("kept did not connect: %w; its stderr: %s", err, c.stderr.String())
	}
	c.start = time.Since(began)
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// stop sends SIGTERM, as a container runtime does, and kills the child
// if it has not exited within 15 s.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// childEnv is the environment of a kept child process on db against sim:
// this process's, without its Slack and Kept settings.
func childEnv(sim *slacksim.Server, db string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLACK_") && !strings.HasPrefix(kv, "KEPT_") {
			env = append(env, kv)
		}
	}
	return append(env, "SLACK_APP_TOKEN=xapp-1-sim", "SLACK_BOT_TOKEN=xoxb-sim",
		"SLACK_API_URL="+sim.URL(), "KEPT_DB="+db, "KEPT_LOG_LEVEL=error")
}

// clockTick is Linux's USER_HZ, the unit of /proc/PID/stat's times: 100
// per second on every architecture Go supports (the kernel's ABI, not
// its internal HZ).
const clockTick = 10 * time.Millisecond

// procCPU is the CPU time, user and system, that process pid has used,
// from /proc/PID/stat (utime + stime), to the nearest 10 ms.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	st, ok := parseStat(string(b))
	if !ok {
		return 0, fmt.Errorf("/proc/%d/stat: unreadable: %q", pid, b)
	}
	return time.Duration(st.utime+st.stime) * clockTick, nil
}

// procMemory reads VmHWM and VmRSS of pid from /proc.
func procMemory(pid int) (hwm, rss int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		kb, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmHWM":
			hwm = kb << 10
		case "VmRSS":
			rss = kb << 10
		}
	}
	return hwm, rss, nil
}
