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
// with its store on disk and fsync on.
type kept struct {
	sim  *slacksim.Server
	d    *daemon.Daemon
	stop func() error
}

// startKept starts a simulator with users and the daemon on dir/kept.db,
// and waits until the bot's socket is connected.
func startKept(dir string, now func() time.Time, users []slacksim.User, tick time.Duration) (*kept, error) {
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
	cfg := config.Config{
		AppToken:     "xapp-1-sim",
		BotToken:     "xoxb-sim",
		APIURL:       sim.URL(),
		DB:           filepath.Join(dir, "kept.db"),
		Tick:         tick,
		OverdueAfter: 24 * time.Hour,
		Zone:         time.UTC,
	}
	d, err := daemon.New(cfg, daemon.Options{Now: now, Log: quiet()})
	if err != nil {
		sim.Close()
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
			sim.Close()
		})
		return stopErr
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := sim.Wait(wctx, func() bool { return sim.Connections() > 0 }); err != nil {
		_ = k.stop()
		return nil, fmt.Errorf("bot did not connect: %w", err)
	}
	return k, nil
}

func user(i int) slacksim.User {
	id := fmt.Sprintf("U%07d", i)
	return slacksim.User{ID: id, Name: "user" + id[1:], RealName: "User " + id[1:], TZ: "America/New_York"}
}
