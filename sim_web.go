package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"syscall"
	"time"

	"github.com/keptbot/kept/clock"
	"github.com/keptbot/kept/daemon"
	"github.com/keptbot/kept/simweb"
	"github.com/keptbot/kept/slacksim"
)

// simAddr is where `kept sim` serves its page unless told otherwise; when
// the port is taken, a free one is used instead.
const simAddr = "127.0.0.1:8484"

// serveWeb serves the simulated workspace as a web page until ctx ends.
func serveWeb(ctx context.Context, sim *slacksim.Server, clk *clock.Offset, d *daemon.Daemon, addr string, open bool, stdout, stderr io.Writer) int {
	cmds, shortcuts := manifestSurface(manifestYAML)
	page := simweb.New(sim, simweb.Options{
		Workspace: "Kept sim",
		AppName:   "Kept",
		People:    simPeople,
		Commands:  cmds,
		Shortcuts: shortcuts,
		Clock:     clk,
		Tick:      d.Scheduler.Tick,
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil && addr == simAddr && errors.Is(err, syscall.EADDRINUSE) {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		fmt.Fprintf(stderr, "kept sim: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: page, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(stdout, "Kept sim: a local Slack with Kept in it is at %s\nOpen it in your browser; Ctrl-C stops it. (`kept sim -console` is the text version.)\n", url)
	if open {
		if err := openBrowser(url); err != nil {
			fmt.Fprintf(stderr, "kept sim: could not open a browser (%v); open %s yourself\n", err, url)
		}
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(stderr, "kept sim: web page: %v\n", err)
		return 1
	}
	_ = srv.Close() // the event streams never end on their own
	return 0
}

func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// manifestSurface reads the slash commands (with their usage hints) and the
// message shortcuts from the manifest, so that the page offers exactly what
// a workspace installing this version would.
func manifestSurface(manifest []byte) ([]simweb.Command, []simweb.Shortcut) {
	v := yamlValues(manifest)
	at := func(key string, i int) string {
		if l := v[key]; i < len(l) {
			return l[i]
		}
		return ""
	}
	var cmds []simweb.Command
	for i, name := range v["features.slash_commands.[].command"] {
		cmds = append(cmds, simweb.Command{
			Name:        name,
			Description: at("features.slash_commands.[].description", i),
			UsageHint:   at("features.slash_commands.[].usage_hint", i),
		})
	}
	var shortcuts []simweb.Shortcut
	for i, name := range v["features.shortcuts.[].name"] {
		if at("features.shortcuts.[].type", i) != "message" {
			continue
		}
		shortcuts = append(shortcuts, simweb.Shortcut{
			Name:        name,
			CallbackID:  at("features.shortcuts.[].callback_id", i),
			Description: at("features.shortcuts.[].description", i),
		})
	}
	return cmds, shortcuts
}
