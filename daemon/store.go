package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/inbound"
	"github.com/keptbot/kept/notify"
	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/scheduler"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg"
)

// Store is what the daemon needs of a database: what the bot and the
// scheduler use, and its care. The bbolt store (one process, one file)
// and the PostgreSQL store (replicas sharing one database) both have it.
type Store interface {
	inbound.Store
	notify.Store
	scheduler.Store
	DeferNudge(id int64, notBefore time.Time, errText string) error
	NextNudgeAfter(t time.Time) (time.Time, bool, error)
	Nudges(kind store.NudgeKind) ([]store.Nudge, error)
	Export() (store.Dump, error)
	Ping() error
	Backlog(now time.Time) (int, error)
	SetOverdueAfter(d time.Duration)
	Close() error
}

var (
	_ Store = (*store.Bolt)(nil)
	_ Store = (*pg.Store)(nil)
)

// replica is what running on PostgreSQL adds: a campaign for the
// scheduling term and the term held, if any.
type replica struct {
	store   *pg.Store
	elector *pg.Elector
	term    atomic.Pointer[pg.Term]
}

// epoch is the term this replica holds, 0 for none.
func (r *replica) epoch() int64 {
	if t := r.term.Load(); t != nil {
		return t.Epoch
	}
	return 0
}

// openStore opens KEPT_DB: a bbolt file, or a PostgreSQL database with
// this process as one of its replicas.
func openStore(cfg config.Config, opts Options) (Store, *replica, error) {
	if !config.Postgres(cfg.DB) {
		st, err := store.New(cfg.DB, store.Options{Now: opts.Now})
		return st, nil, err
	}
	name := replicaName()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := pg.Open(ctx, cfg.DB, pg.Options{Now: opts.Now, Name: name, SendGrace: opts.SendGrace})
	if err != nil {
		return nil, nil, err
	}
	r := &replica{store: st, elector: &pg.Elector{URL: cfg.DB, Holder: name, Lease: cfg.Lease, Log: opts.Log}}
	return st, r, nil
}

// replicaName names this process in the scheduler table, logs and
// pg_stat_activity: host and pid.
func replicaName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "kept"
	}
	return host + ":" + strconv.Itoa(os.Getpid())
}

// errNoTerm is why a replica holds back a nudge it was about to send.
var errNoTerm = errors.New("this replica's scheduling term is not confirmed")

// termDeliverer checks, before every send, that the term it sends in is
// still confirmed: a replica that was paused for more than half a lease
// may have been replaced and must not post. The nudge goes back to the
// outbox without counting an attempt, for whoever schedules next.
type termDeliverer struct {
	*notify.Notifier
	r   *replica
	now func() time.Time
}

func (d termDeliverer) Deliver(ctx context.Context, n store.Nudge) (string, string, error) {
	if t := d.r.term.Load(); t == nil || !t.Valid() {
		return "", "", &outbox.LaterError{Until: d.now().Add(time.Second), Reason: errNoTerm.Error()}
	}
	return d.Notifier.Deliver(ctx, n)
}

// DeliverCheckins is Deliver for one owner's check-in message: the same
// term check, before the post.
func (d termDeliverer) DeliverCheckins(ctx context.Context, ns []store.Nudge) (outbox.Batch, error) {
	if t := d.r.term.Load(); t == nil || !t.Valid() {
		return outbox.Batch{}, &outbox.LaterError{Until: d.now().Add(time.Second), Reason: errNoTerm.Error()}
	}
	return d.Notifier.DeliverCheckins(ctx, ns)
}

// role is what /healthz says of the replica.
func (r *replica) role() string {
	if t := r.term.Load(); t != nil {
		return fmt.Sprintf("scheduling, term %d", t.Epoch)
	}
	return "standing by (another replica schedules)"
}
