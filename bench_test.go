package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBenchMeasuresTheBinary runs `kept bench` as the lead does, from the
// built binary, at toy sizes: Kept runs as its own process, so the ack
// rows give the CPU of Kept's process alone (from /proc), the lone row is
// held to the fdatasync floor measured in the same run, and every row says
// its load average and commit. How fast anything is does not matter here.
func TestBenchMeasuresTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "kept")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(context.Background(), bin, "bench", "-only", "ack,footprint", "-runs", "1",
		"-inflight", "1,5", "-commands", "20", "-sizes", "2000", "-postgres", "none", "-dir", t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := stdout.String()
	t.Log("\n" + out + stderr.String())
	// A toy run on a shared machine may miss a target (exit 1); anything
	// else is a failure of the bench.
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		t.Fatalf("kept bench: %v", err)
	}
	for _, want := range []string{
		"| Load | Commit |", "disk floor: 4 KiB overwrite + fdatasync", "× fdatasync p50", "p50 ≤ 3× fdatasync p50",
		"CPU ", "/command in Kept's process", "start-up, exec → socket connected, 2k open promises",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	// Every row says its load, what other processes used, and a commit:
	// Write prints "?" for one it was not given.
	load := regexp.MustCompile(`^\d+\.\d\d–\d+\.\d\d, others \d+\.\d\d cores( busy)?$`)
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| 1 |") || strings.HasPrefix(line, "| 5 |") {
			rows++
			cells := strings.Split(line, "|")
			if len(cells) != 9 || !load.MatchString(strings.TrimSpace(cells[6])) || strings.TrimSpace(cells[7]) == "?" || strings.TrimSpace(cells[7]) == "" {
				t.Errorf("row without its load, others' CPU and commit: %s", line)
			}
		}
	}
	if rows == 0 {
		t.Error("no rows of sections 1 and 5 in the table")
	}
}
