package daemon

import (
	"context"
	"errors"
	"io"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/metrics"
)

// errNotConnected is what /healthz says while the socket is down.
var errNotConnected = errors.New("not connected to Slack (Socket Mode); reconnecting")

// listen binds the backup socket beside db and KEPT_METRICS_ADDR, if set,
// before anything runs: a port in use stops Kept at start, with the
// address in the message. A socket path too long for the system only
// costs `kept backup` while kept runs, so it is a warning.
func (d *Daemon) listen(addr, db string) error {
	if !config.Postgres(db) {
		sock := metrics.BackupSocket(db)
		if ln, err := metrics.ListenBackup(sock); err != nil {
			d.log.Warn("kept backup cannot ask this kept for a copy while it runs", "err", err)
		} else {
			d.backups = ln
		}
	}
	if addr == "" {
		return nil
	}
	ln, err := metrics.Listen(addr)
	if err != nil {
		if d.backups != nil {
			d.backups.Close()
		}
		return err
	}
	d.ops = ln
	d.log.Info("serving /metrics and /healthz", "addr", ln.Addr().String())
	return nil
}

// OpsAddr is the address /metrics, /healthz and /backup are served on, ""
// when KEPT_METRICS_ADDR is not set. With port 0 it says which was picked.
func (d *Daemon) OpsAddr() string {
	if d.ops == nil {
		return ""
	}
	return d.ops.Addr().String()
}

// Ready is nil while Kept can do its job: the database answers and its
// pages check out, and the Socket Mode connection is up. /healthz reports
// it; a damaged database first, since reconnecting does not mend it.
func (d *Daemon) Ready() error {
	if err := d.Store.Ping(); err != nil {
		return err
	}
	if !d.Bot.Connected() {
		return errNotConnected
	}
	return nil
}

func (d *Daemon) serveOps(ctx context.Context) error {
	opts := metrics.Options{Ready: d.Ready, Log: d.log}
	if d.replica != nil {
		opts.Role = d.replica.role
	}
	return metrics.Serve(ctx, d.ops, metrics.NewHandler(d.Metrics, opts))
}

// serveBackups streams the bbolt file to `kept backup`. PostgreSQL is
// backed up with its own tools (pg_dump, base backups and WAL archiving),
// and listen opens no backup socket for it.
func (d *Daemon) serveBackups(ctx context.Context) error {
	b, ok := d.Store.(interface {
		Backup(io.Writer) (int64, error)
	})
	if !ok {
		return nil
	}
	return metrics.Serve(ctx, d.backups, metrics.BackupHandler(metrics.Options{
		Backup: b.Backup,
		Log:    d.log,
	}))
}

// BackupSocket is the socket /backup is served on, "" if none.
func (d *Daemon) BackupSocket() string {
	if d.backups == nil {
		return ""
	}
	return d.backups.Addr().String()
}
