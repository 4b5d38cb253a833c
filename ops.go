package main

// The admin's commands: backup, export, import and health.
//
// A running kept holds an exclusive lock on its bbolt file, so no second
// process can open it, not even read-only. `kept backup` and `kept export`
// therefore ask the running kept for a copy on the Unix socket beside the
// database (KEPT_DB + ".sock", owner-only; never over TCP, where a network
// peer or a DNS-rebinding page could ask too), which streams it from one
// read transaction: consistent, and the bot keeps writing. When no kept
// answers there, they open the file directly. `kept import` writes, so it
// needs kept stopped.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/metrics"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/transfer"
)

// withFlags parses args with a flag for every setting plus the command's
// own (define), and loads the config. ok is false after a message.
func withFlags(name string, args []string, getenv func(string) string, requireTokens bool, stderr io.Writer, define func(*flag.FlagSet)) (cfg config.Config, rest []string, ok bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	getenv = config.Flags(fs, getenv)
	if define != nil {
		define(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, nil, false
	}
	cfg, err := config.Load(getenv, requireTokens)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(stderr, "kept: "+line)
		}
		return cfg, nil, false
	}
	return cfg, fs.Args(), true
}

// noArgs refuses arguments left after a command's flags: a mistyped flag
// ("-n" after the file) or a word too many must not be ignored. ok is
// false after a message.
func noArgs(cmd string, rest []string, stderr io.Writer) bool {
	if len(rest) == 0 {
		return true
	}
	fmt.Fprintf(stderr, "kept: %s takes no argument %q (flags go before arguments); `%s -h` lists its flags\n", cmd, rest[0], cmd)
	return false
}

// errNoKept says no kept answered on the backup socket.
var errNoKept = errors.New("no kept is listening")

// fetchBackup asks the kept serving the backup socket sock for a
// consistent copy of its database, written to w. It returns errNoKept
// when nothing listens there.
func fetchBackup(ctx context.Context, sock string, w io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metrics.BackupURL, nil)
	if err != nil {
		return 0, err
	}
	res, err := metrics.BackupClient(sock).Do(req)
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) {
		return 0, errNoKept
	}
	if err != nil {
		return 0, fmt.Errorf("ask the running kept on %s: %w", sock, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
		return 0, fmt.Errorf("the running kept on %s answered %s: %s", sock, res.Status, strings.TrimSpace(string(msg)))
	}
	n, err := io.Copy(w, res.Body)
	if err != nil {
		return n, fmt.Errorf("receive the copy from %s: %w", sock, err)
	}
	// The trailers arrive after the body: only now is the copy known whole.
	if e := res.Trailer.Get(metrics.TrailerError); e != "" {
		return n, fmt.Errorf("the running kept could not finish the copy: %s", e)
	}
	if size, _ := strconv.ParseInt(res.Trailer.Get(metrics.TrailerSize), 10, 64); size != n || size == 0 {
		return n, fmt.Errorf("the copy from %s is incomplete: received %d bytes, the server sent %q", sock, n, res.Trailer.Get(metrics.TrailerSize))
	}
	return n, nil
}

// snapshot writes a consistent copy of cfg.DB to path: from the running
// kept if one answers on the backup socket, else from the file itself. It
// says which in how.
func snapshot(ctx context.Context, cfg config.Config, path string) (n int64, how string, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, "", err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	sock := metrics.BackupSocket(cfg.DB)
	n, err = fetchBackup(ctx, sock, f)
	if !errors.Is(err, errNoKept) {
		if err == nil {
			err = f.Sync()
		}
		return n, "from the running kept", err
	}
	if _, err := os.Stat(cfg.DB); err != nil {
		return 0, "", fmt.Errorf("no database at %s (%v); set KEPT_DB or -db to the file kept uses", cfg.DB, err)
	}
	st, err := store.New(cfg.DB, store.Options{Timeout: 500 * time.Millisecond})
	if errors.Is(err, store.ErrLocked) {
		return 0, "", fmt.Errorf("%s is held by a running kept, but nothing answers on its backup socket %s: run kept backup as the user kept runs as, on the same host (docker exec), with the same KEPT_DB", cfg.DB, sock)
	}
	if err != nil {
		return 0, "", err
	}
	defer st.Close()
	if n, err = st.Backup(f); err != nil {
		return n, "", err
	}
	return n, "directly from " + cfg.DB + " (no kept running)", f.Sync()
}

func backup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, rest, ok := withFlags("kept backup", args, getenv, false, stderr, nil)
	if !ok {
		return 2
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "kept: usage: kept backup FILE   (a consistent copy of the database, safe while kept runs)")
		return 2
	}
	if config.Postgres(cfg.DB) {
		return backupPG(stderr, cfg.DB)
	}
	dst := rest[0]
	if fi, err := os.Stat(dst); (err == nil && fi.IsDir()) || strings.HasSuffix(dst, string(os.PathSeparator)) {
		// A directory: the copy goes in it, named for the database and
		// the moment, so that backups into one place do not overwrite
		// each other.
		if err != nil {
			fmt.Fprintf(stderr, "kept: backup failed, no directory %s: %v\n", dst, err)
			return 1
		}
		base := strings.TrimSuffix(filepath.Base(cfg.DB), filepath.Ext(cfg.DB))
		dst = filepath.Join(dst, base+"-"+time.Now().UTC().Format("20060102T150405Z")+".db")
	}
	if abs(dst) == abs(cfg.DB) {
		fmt.Fprintf(stderr, "kept: %s is the database itself; give another file name\n", dst)
		return 2
	}
	// Written beside dst and renamed into place once verified, so that a
	// failed backup never leaves a truncated file under the name of a good
	// one.
	tmp := dst + ".partial"
	defer os.Remove(tmp)
	n, how, err := snapshot(ctx, cfg, tmp)
	if err != nil {
		fmt.Fprintf(stderr, "kept: backup failed, nothing written to %s: %v\n", dst, err)
		return 1
	}
	if err := store.Verify(tmp); err != nil {
		fmt.Fprintf(stderr, "kept: the copy does not check out, nothing written to %s: %v\n", dst, err)
		return 1
	}
	if err := os.Rename(tmp, dst); err != nil {
		fmt.Fprintf(stderr, "kept: backup failed: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %d bytes, %s; verified\n", cfg.DB, dst, n, how)
	return 0
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

func export(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var format, kind, out string
	cfg, rest, ok := withFlags("kept export", args, getenv, false, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "json", "json (everything, one file) or csv (one kind per file, see -kind)")
		fs.StringVar(&kind, "kind", "", "promises, customers or touches: with -format csv, the kind the file holds (default promises); with json, only that kind (default all)")
		fs.StringVar(&out, "o", "", "write to this file instead of standard output")
	})
	if !ok {
		return 2
	}
	if len(rest) > 0 || (format != "json" && format != "csv") || (kind != "" && !slices.Contains(transfer.Kinds, transfer.Kind(kind))) {
		fmt.Fprintln(stderr, "kept: usage: kept export [-format json|csv] [-kind promises|customers|touches] [-o FILE]")
		return 2
	}
	d, err := exportDump(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "kept: export: %v\n", err)
		return 1
	}
	w := stdout
	if out != "" {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			fmt.Fprintf(stderr, "kept: export: %v\n", err)
			return 1
		}
		defer f.Close()
		w = f
	}
	switch {
	case format == "json":
		err = transfer.WriteJSON(w, transfer.Only(d, transfer.Kind(kind)))
	case kind == "":
		err = transfer.WriteCSV(w, d, transfer.Promises)
	default:
		err = transfer.WriteCSV(w, d, transfer.Kind(kind))
	}
	if err != nil {
		fmt.Fprintf(stderr, "kept: export: %v\n", err)
		return 1
	}
	return 0
}

// exportDump reads everything to export: from a snapshot of a bbolt
// file, so it works the same whether kept runs, or from PostgreSQL in one
// repeatable-read transaction while replicas write.
func exportDump(ctx context.Context, cfg config.Config) (store.Dump, error) {
	if config.Postgres(cfg.DB) {
		st, err := openPG(ctx, cfg.DB)
		if err != nil {
			return store.Dump{}, err
		}
		defer st.Close()
		return st.Export()
	}
	dir, err := os.MkdirTemp("", "kept-export-")
	if err != nil {
		return store.Dump{}, err
	}
	defer os.RemoveAll(dir)
	snap := filepath.Join(dir, "snapshot.db")
	if _, _, err := snapshot(ctx, cfg, snap); err != nil {
		return store.Dump{}, err
	}
	st, err := store.New(snap, store.Options{})
	if err != nil {
		return store.Dump{}, err
	}
	defer st.Close()
	return st.Export()
}

func importFile(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var team string
	var dryRun bool
	cfg, rest, ok := withFlags("kept import", args, getenv, false, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&team, "team", "", "workspace id (T…) for rows whose team column is empty or missing")
		fs.BoolVar(&dryRun, "n", false, "dry run: check the file and say what would change, change nothing")
	})
	if !ok {
		return 2
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "kept: usage: kept import [-n] [-team T…] FILE   (a kept export, or a CSV with a header)")
		return 2
	}
	in, err := os.Open(rest[0])
	if err != nil {
		fmt.Fprintf(stderr, "kept: import: %v\n", err)
		return 1
	}
	f, err := transfer.Read(in, rest[0], transfer.Options{Team: team})
	in.Close()
	if err != nil {
		// Every refused row, a line each.
		for i, line := range strings.Split(err.Error(), "\n") {
			if i == 0 {
				line = "nothing imported: " + line
			}
			fmt.Fprintln(stderr, "kept: "+line)
		}
		return 1
	}
	var st interface {
		transfer.Importer
		Close() error
	}
	if config.Postgres(cfg.DB) {
		// Replicas may keep running: the import is one transaction.
		st, err = openPG(context.Background(), cfg.DB)
	} else {
		db := cfg.DB
		if _, err := os.Stat(db); dryRun && errors.Is(err, os.ErrNotExist) {
			// A dry run changes nothing, not even by creating the file: it
			// runs against an empty database of its own.
			dir, err := os.MkdirTemp("", "kept-import-")
			if err != nil {
				fmt.Fprintf(stderr, "kept: import: %v\n", err)
				return 1
			}
			defer os.RemoveAll(dir)
			db = filepath.Join(dir, "empty.db")
			fmt.Fprintf(stdout, "no database at %s yet: as if into a new one\n", cfg.DB)
		}
		st, err = store.New(db, store.Options{Timeout: 500 * time.Millisecond})
	}
	if errors.Is(err, store.ErrLocked) {
		fmt.Fprintf(stderr, "kept: nothing imported: %s is held by a running kept; stop it, import, start it again (the import is one transaction, a few seconds)\n", cfg.DB)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "kept: nothing imported: %v\n", err)
		return 1
	}
	defer st.Close()
	rep, err := f.Import(st, dryRun)
	if err != nil {
		fmt.Fprintf(stderr, "kept: nothing imported: %v\n", err)
		return 1
	}
	if dryRun {
		fmt.Fprint(stdout, "dry run, nothing changed; the import would do:\n")
	}
	fmt.Fprint(stdout, transfer.Summary(rep))
	return 0
}

// health is the container's HEALTHCHECK: distroless has no curl.
func health(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, rest, ok := withFlags("kept health", args, getenv, false, stderr, nil)
	if !ok || !noArgs("kept health", rest, stderr) {
		return 2
	}
	if cfg.MetricsAddr == "" {
		fmt.Fprintln(stderr, "kept: KEPT_METRICS_ADDR is not set; kept health asks the running kept there")
		return 1
	}
	base, err := metrics.LocalURL(cfg.MetricsAddr)
	if err != nil {
		fmt.Fprintf(stderr, "kept: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "kept: not healthy: %v\n", err)
		return 1
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
	if res.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "kept: %s", body)
		return 1
	}
	fmt.Fprint(stdout, string(body))
	return 0
}
