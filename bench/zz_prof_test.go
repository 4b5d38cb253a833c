package bench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestZZProf(t *testing.T) {
	lv := os.Getenv("ZZ_INFLIGHT")
	if lv == "" {
		t.Skip()
	}
	n, _ := strconv.Atoi(lv)
	cmds, _ := strconv.Atoi(os.Getenv("ZZ_COMMANDS"))
	opts := Options{Runs: 1, Dir: t.TempDir(), InFlight: []int{n}, Commands: cmds, Postgres: "none", Only: []string{"ack"}, Progress: tlog{t}}
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.Write(&b)
	t.Log(b.String())
}
