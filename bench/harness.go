package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/daemon"
	"github.com/keptbot/kept/slacksim"
)

const (
	benchTeam    = "T0KEPT"
	benchChannel = "C0SALES"
)

// kept is the real daemon running against the simulator over real sockets,
// with its store on disk (or in PostgreSQL) and fsync on.
type kept struct {
	sim  *slacksim.Server
	d    *daemon.Daemon
	stop func() error
}

// startKept starts a simulator with users and the daemon on dir/kept.db,
// or on db if it is a postgres:// URL, and waits until the bot's socket
// is connected.
func startKept(db string, now func() time.Time, users []slacksim.User, tick time.Duration) (*kept, error) {
	sim, err := newSim(now, users)
	if err != nil {
		return nil, err
	}
	k, err := startDaemon(sim, db, now, tick)
	if err != nil {
		sim.Close()
		return nil, err
	}
	stop := k.stop
	k.stop = func() error {
		err := stop()
		sim.Close()
		return err
	}
	return k, nil
}

// newSim is a simulator with users, all in the bench channel.
func newSim(now func() time.Time, users []slacksim.User) (*slacksim.Server, error) {
	sim, err := slacksim.New(slacksim.Options{TeamID: benchTeam, Now: now})
	if err != nil {
		return nil, err
	}
	members := make([]string, 0, len(users))
	for _, u := range users {
		sim.AddUser(u)
		members = append(members, u.ID)
	}
	sim.AddChannel(slacksim.Channel{ID: benchChannel, Name: "sales", Members: members})
	return sim, nil
}

// startDaemon starts one more daemon against sim, on db (a directory for
// a bbolt kept.db, or a postgres:// URL, where several daemons are
// replicas of one database), and waits until its socket is connected.
// Its stop leaves sim running.
func startDaemon(sim *slacksim.Server, db string, now func() time.Time, tick time.Duration) (*kept, error) {
	if !config.Postgres(db) {
		db = filepath.Join(db, "kept.db")
	}
	cfg := config.Config{
		AppToken:     "xapp-1-sim",
		BotToken:     "xoxb-sim",
		APIURL:       sim.URL(),
		DB:           db,
		Tick:         tick,
		OverdueAfter: 24 * time.Hour,
		Zone:         time.UTC,
	}
	conns := sim.Connections()
	d, err := daemon.New(cfg, daemon.Options{Now: now, Log: quiet()})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	k := &kept{sim: sim, d: d}
	var once sync.Once
	var stopErr error
	k.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(15 * time.Second):
				stopErr = errors.New("daemon did not stop within 15s")
			}
		})
		return stopErr
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := sim.Wait(wctx, func() bool { return sim.Connections() > conns }); err != nil {
		_ = k.stop()
		return nil, fmt.Errorf("bot did not connect: %w", err)
	}
	return k, nil
}

func user(i int) slacksim.User {
	id := fmt.Sprintf("U%07d", i)
	return slacksim.User{ID: id, Name: "user" + id[1:], RealName: "User " + id[1:], TZ: "America/New_York"}
}
