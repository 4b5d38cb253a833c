//go:build failover

package main

// The failover test: three kept replicas (the real binary) on one
// PostgreSQL database, against the simulator, while /promise commands
// stream in and reminders come due: replicas are SIGKILLed at random, the
// scheduling one included; PostgreSQL itself is restarted; and the
// scheduling replica's connections are terminated (pg_terminate_backend)
// while it is in the middle of a chat.postMessage. Then every acknowledged
// promise must be stored and every due reminder DMed exactly once, by
// nudge id, and the test shows that each of those faults happened.
//
//	go test -tags failover -run TestFailover -v .
//
// KEPT_FAILOVER_SEED repeats a run's fault schedule.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg"
	"github.com/keptbot/kept/store/pg/pgtest"
)

func TestFailover(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("KEPT_FAILOVER_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (KEPT_FAILOVER_SEED to repeat the fault schedule)", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	began := time.Now()

	// A cluster of its own: this test restarts it.
	cluster := pgtest.Start(t)
	url := cluster.NewDatabase(t)
	admin, err := pg.Open(context.Background(), url, pg.Options{Name: "failover-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { admin.Close() }()

	bin := buildKept(t)
	sim, users := killSim(t)
	logs := &lockedBuffer{}

	const lease = 3 * time.Second
	type replica struct {
		cmd  *exec.Cmd
		name string // host:pid, as it names itself in the scheduler table
	}
	host, _ := os.Hostname()
	var rmu sync.Mutex
	replicas := make([]*replica, 3)
	start := func(i int) {
		t.Helper()
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "SLACK_APP_TOKEN=xapp-1-sim", "SLACK_BOT_TOKEN=xoxb-sim",
			"SLACK_API_URL="+sim.URL(), "KEPT_DB="+url, "KEPT_TICK=1s", "KEPT_LEASE="+lease.String(), "KEPT_LOG_LEVEL=warn")
		cmd.Stderr = logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		rmu.Lock()
		replicas[i] = &replica{cmd: cmd, name: host + ":" + strconv.Itoa(cmd.Process.Pid)}
		rmu.Unlock()
	}
	kill := func(i int) {
		rmu.Lock()
		r := replicas[i]
		replicas[i] = nil
		rmu.Unlock()
		if r != nil {
			_ = r.cmd.Process.Signal(syscall.SIGKILL)
			_ = r.cmd.Wait()
		}
	}
	defer func() {
		for i := range replicas {
			kill(i)
		}
	}()
	// leader is the replica holding the scheduling term now: the
	// holder of the latest term, with its lock session alive.
	leader := func() int {
		var holder string
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := admin.QueryRow(ctx, `SELECT s.holder FROM scheduler s JOIN pg_stat_activity a ON a.application_name = 'kept scheduler ' || s.holder`, &holder); err != nil {
			return -1
		}
		rmu.Lock()
		defer rmu.Unlock()
		for i, r := range replicas {
			if r != nil && r.name == holder {
				return i
			}
		}
		return -1
	}
	waitLeader := func(within time.Duration) int {
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			if i := leader(); i >= 0 {
				return i
			}
			time.Sleep(50 * time.Millisecond)
		}
		return -1
	}
	for i := range replicas {
		start(i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	if err := sim.Wait(ctx, func() bool { return sim.Connections() == 3 }); err != nil {
		t.Fatalf("replicas did not connect: %v\nlogs:\n%s", err, logs)
	}
	cancel()
	if waitLeader(10*time.Second) < 0 {
		t.Fatalf("no replica took the scheduling term\nlogs:\n%s", logs)
	}

	// The stream: two users, about 20 commands a second between them,
	// each "in 1 minute", for streamFor; reminders come due from a
	// minute in, while the faults go on.
	const streamFor = 100 * time.Second
	var (
		mu       sync.Mutex
		acked    = map[string]int64{}
		sent     int
		refused  int
		lastDue  time.Time
		streamOK = make(chan struct{})
	)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			pace := rand.New(rand.NewPCG(seed, uint64(w)))
			for n := 0; time.Since(began) < streamFor; n++ {
				text := fmt.Sprintf("failover promise w%d n%d", w, n)
				mu.Lock()
				sent++
				mu.Unlock()
				r, err := sim.SlashCommand(context.Background(), users[w], "C0SALES", "/promise", "Acme: "+text+" in 1 minute")
				var id int64
				if err == nil {
					fmt.Sscanf(stringAfter(r.Text, "#"), "%d", &id)
				}
				mu.Lock()
				if id > 0 {
					acked[text] = id
					lastDue = time.Now().Add(time.Minute)
				} else {
					refused++ // no answer (a killed replica), or "nothing was changed" (PostgreSQL down)
				}
				mu.Unlock()
				time.Sleep(time.Duration(50+pace.IntN(100)) * time.Millisecond)
			}
		})
	}
	go func() { wg.Wait(); close(streamOK) }()

	// The faults, from 55 s in, while reminders are going out.
	var (
		kills, leaderKills, takeovers  int
		pgRestarted, terminatedMidSend bool
		terminated                     int
	)
	time.Sleep(55*time.Second - time.Since(began))
	firstTerm := term(t, admin)
	// The faults the run must prove come first (steps 0 to 3: a leader kill,
	// PostgreSQL's restart, another leader kill, connections cut mid-send),
	// and always run, however slowly the machine gets through them: a run
	// that ran out of time before one of them proved nothing.
	for step := 0; step < 4 || time.Since(began) < streamFor-5*time.Second; step++ {
		switch step {
		case 1: // PostgreSQL itself goes away and comes back
			var before time.Time
			_ = admin.QueryRow(context.Background(), `SELECT pg_postmaster_start_time()`, &before)
			if err := cluster.Stop("fast"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Second)
			if err := cluster.Start(); err != nil {
				t.Fatal(err)
			}
			var after time.Time
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				if admin.QueryRow(context.Background(), `SELECT pg_postmaster_start_time()`, &after) == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			pgRestarted = after.After(before)
			t.Logf("%s: PostgreSQL restarted (server started %s, then %s)", time.Since(began).Round(time.Second), before.Format(time.TimeOnly), after.Format(time.TimeOnly))
		case 3: // the scheduling replica loses its connections mid-send
			l := waitLeader(3 * lease)
			if l < 0 {
				t.Fatal("no scheduling replica to cut off")
			}
			sim.FailNext("chat.postMessage", 1, slacksim.Fault{Delay: 4 * time.Second})
			deadline := time.Now().Add(30 * time.Second)
			for sim.FaultsLeft("chat.postMessage") > 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			// The slow post is in flight now. Cut off whoever sends it.
			if l2 := leader(); l2 >= 0 {
				l = l2
			}
			rmu.Lock()
			name := replicas[l].name
			rmu.Unlock()
			err := admin.QueryRow(context.Background(), `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name IN ('kept ' || $1, 'kept scheduler ' || $1)) t`, &terminated, name)
			if err != nil {
				t.Fatal(err)
			}
			terminatedMidSend = sim.FaultsLeft("chat.postMessage") == 0 && terminated > 0
			t.Logf("%s: terminated %d connections of the scheduling replica %s while its chat.postMessage was in flight", time.Since(began).Round(time.Second), terminated, name)
			time.Sleep(5 * time.Second)
		default: // SIGKILL: the scheduling replica every other time
			victim := rng.IntN(3)
			l := leader()
			if step%2 == 0 && l >= 0 {
				victim = l
			}
			wasLeader := victim == l
			kill(victim)
			kills++
			if wasLeader {
				leaderKills++
				began2 := time.Now()
				if waitLeader(2*lease) >= 0 {
					takeovers++
					t.Logf("%s: killed the scheduling replica; another took over in %s", time.Since(began).Round(time.Second), time.Since(began2).Round(time.Millisecond))
				} else {
					t.Errorf("no takeover within two leases (%s) after the scheduling replica was killed", 2*lease)
				}
			}
			time.Sleep(time.Duration(500+rng.IntN(1500)) * time.Millisecond)
			start(victim)
			time.Sleep(time.Duration(3000+rng.IntN(3000)) * time.Millisecond)
		}
	}
	<-streamOK
	// Every replica back, until the last reminder is due and a lease more.
	for i := range replicas {
		rmu.Lock()
		dead := replicas[i] == nil
		rmu.Unlock()
		if dead {
			start(i)
		}
	}
	mu.Lock()
	until := lastDue.Add(3 * lease)
	mu.Unlock()
	time.Sleep(time.Until(until))
	for i := range replicas {
		kill(i)
	}
	lastTerm := term(t, admin)

	ps, err := admin.Promises("T0KEPT", "", "")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]store.Promise{}
	for _, p := range ps {
		stored[p.Text] = p
	}
	lost := 0
	for text, id := range acked {
		if p, ok := stored[text]; !ok || p.ID != id {
			lost++
			t.Errorf("acknowledged promise #%d %q is not stored (got %+v)", id, text, p)
		}
	}
	nudges, err := admin.Nudges("")
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := shownNudges(sim)
	duplicates, missing := checkOnce(t, nudges, shown, nil)
	byPromise := map[int64]int{}
	for _, n := range nudges {
		byPromise[n.PromiseID]++
	}
	due := 0
	for _, p := range ps {
		if !p.Due.After(until.Add(-2 * lease)) {
			due++
			if byPromise[p.ID] != 1 {
				missing++
				t.Errorf("promise #%d due %v has %d reminders, want 1", p.ID, p.Due, byPromise[p.ID])
			}
		}
	}
	figures := fmt.Sprintf("failover test: 3 replicas for %s: %d commands sent, %d acknowledged, %d refused while a replica or PostgreSQL was down, %d stored (%d lost); "+
		"%d reminders due, %d DMs, %d duplicates, %d missing; %d SIGKILLs (%d of the scheduling replica, %d takeovers within two leases of %s), "+
		"PostgreSQL restarted: %v, %d connections of the scheduling replica terminated mid-send: %v; scheduling terms %d to %d (seed %d)",
		time.Since(began).Round(time.Second), sent, len(acked), refused, len(ps), lost,
		due, len(nudges), duplicates, missing, kills, leaderKills, takeovers, lease,
		pgRestarted, terminated, terminatedMidSend, firstTerm, lastTerm, seed)
	t.Log(figures)
	fmt.Println(figures)
	// Proof that the run tested what it claims.
	switch {
	case len(acked) == 0 || due == 0:
		t.Errorf("the run proved nothing: %d acked, %d due", len(acked), due)
	case leaderKills < 2 || takeovers < leaderKills:
		t.Errorf("the scheduling replica was killed %d times with %d takeovers; want at least 2 of each", leaderKills, takeovers)
	case !pgRestarted:
		t.Error("PostgreSQL was not restarted during the run")
	case !terminatedMidSend:
		t.Error("the scheduling replica's connections were not terminated mid-send")
	case lastTerm < firstTerm+int64(leaderKills)+1:
		t.Errorf("scheduling terms went from %d to %d over %d takeovers and a restart", firstTerm, lastTerm, leaderKills)
	}
	if t.Failed() {
		out := logs.String()
		if len(out) > 20000 {
			out = out[len(out)-20000:]
		}
		t.Logf("the replicas' logs (last 20 kB):\n%s", strings.TrimSpace(out))
	}
}

func term(t *testing.T, s *pg.Store) int64 {
	t.Helper()
	var n int64
	if err := s.QueryRow(context.Background(), `SELECT epoch FROM scheduler WHERE id = 1`, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
