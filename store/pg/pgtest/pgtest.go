// Package pgtest starts throwaway PostgreSQL clusters for tests, from the
// server binaries of Debian's postgresql package (initdb, pg_ctl under
// /usr/lib/postgresql/*/bin). A cluster lives in a temporary directory,
// listens on a free 127.0.0.1 port and trusts local connections; it is
// removed when the test (or the test binary, with Main) ends.
//
// Without a server the tests that need one skip with a line saying how to
// get one; with CI=true they fail instead, so that CI cannot pass by
// skipping them.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Enable is what the skip message tells a developer to do.
const Enable = "apt-get install postgresql (or set KEPT_PG_BIN to a directory with initdb and pg_ctl)"

// Bin finds the directory holding initdb and pg_ctl: $KEPT_PG_BIN, else the
// newest /usr/lib/postgresql/*/bin, else $PATH. It returns "" if there is
// none.
func Bin() string {
	if d := os.Getenv("KEPT_PG_BIN"); d != "" {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p)
		}
	}
	return ""
}

func version(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return v
}

// Require skips tb (or, under CI=true, fails it) when there is no server.
// It returns the binary directory.
func Require(tb testing.TB) string {
	tb.Helper()
	bin := Bin()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("pgtest: no PostgreSQL server found and CI=true, so this test may not skip: %s", Enable)
		}
		tb.Skipf("pgtest: no PostgreSQL server found; to run this test, %s", Enable)
	}
	return bin
}

// Cluster is a running throwaway PostgreSQL.
type Cluster struct {
	Bin  string // directory of initdb, pg_ctl, postgres
	Dir  string // data directory
	Port int
	run  []string // prefix that runs a command as the cluster's owner
	log  string
	dbs  atomic.Int64
}

// Start creates and starts a cluster; tb's cleanup stops and removes it.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	bin := Require(tb)
	c, err := start(bin, false)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(c.Remove)
	return c
}

var (
	shared     *Cluster
	sharedErr  error
	sharedOnce sync.Once
)

// Main runs m with one cluster shared by the package's tests (Shared), and
// removes it afterwards: call it from TestMain. Starting a cluster takes a
// second or two, a fresh database in it a few milliseconds.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.Remove()
	}
	return code
}

// Shared returns the package's cluster, starting it on first use. Only use
// it with Main, which stops it.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	bin := Require(tb)
	sharedOnce.Do(func() { shared, sharedErr = start(bin, false) })
	if sharedErr != nil {
		tb.Fatalf("pgtest: %v", sharedErr)
	}
	return shared
}

// owner is who runs the server: the current user, or, as root (initdb
// refuses root), the postgres user the package creates, else nobody.
func owner() (prefix []string, uid, gid int, err error) {
	if os.Geteuid() != 0 {
		return nil, -1, -1, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			return nil, 0, 0, errors.New("running as root, and runuser (util-linux) is missing")
		}
		return []string{runuser, "-u", name, "--"}, uid, gid, nil
	}
	return nil, 0, 0, errors.New("running as root with neither a postgres nor a nobody user to run the server as")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Launch creates and starts a cluster outside a test (`kept bench`); the
// caller must Remove it. A durable cluster syncs its WAL at every commit,
// as a production server does, so that its commit figures mean something;
// a test cluster does not.
func Launch(durable bool) (*Cluster, error) {
	bin := Bin()
	if bin == "" {
		return nil, errors.New("no PostgreSQL server found; " + Enable)
	}
	return start(bin, durable)
}

func start(bin string, durable bool) (*Cluster, error) {
	prefix, uid, gid, err := owner()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "kept-pg-")
	if err != nil {
		return nil, err
	}
	if uid >= 0 {
		if err := os.Chown(root, uid, gid); err != nil {
			os.RemoveAll(root)
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	c := &Cluster{Bin: bin, Dir: filepath.Join(root, "data"), Port: port, run: prefix, log: filepath.Join(root, "server.log")}
	if out, err := c.command("initdb", "-D", c.Dir, "-U", "kept", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		os.RemoveAll(root)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// fsync off: a test cluster survives a killed server process (the
	// page cache keeps what was written) but not a power cut, which no
	// test makes. The socket goes in the data directory, not in
	// /var/run/postgresql, which the owner may not write.
	sync := "fsync = off\nfull_page_writes = off\n"
	if durable {
		sync = "fsync = on\nsynchronous_commit = on\n"
	}
	conf := fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n%smax_connections = 200\nlog_min_messages = warning\n", port, c.Dir, sync)
	f, err := os.OpenFile(filepath.Join(c.Dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		f.Close()
	}
	if err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	if err := c.Start(); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	return c, nil
}

func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string(nil), c.run...), filepath.Join(c.Bin, name)), args...)
	return exec.Command(argv[0], argv[1:]...)
}

// Start starts the server of a stopped cluster and waits until it accepts
// connections.
func (c *Cluster) Start() error {
	if out, err := c.command("pg_ctl", "-D", c.Dir, "-l", c.log, "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		logs, _ := os.ReadFile(c.log)
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, logs)
	}
	return nil
}

// Stop stops the server. Mode "fast" rolls back what is in flight and
// closes every connection; "immediate" is a crash, recovered at the next
// Start.
func (c *Cluster) Stop(mode string) error {
	if out, err := c.command("pg_ctl", "-D", c.Dir, "-m", mode, "-w", "-t", "60", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

// Remove stops the server and deletes the cluster.
func (c *Cluster) Remove() {
	_ = c.Stop("immediate")
	os.RemoveAll(filepath.Dir(c.Dir))
}

// URL is the connection string of database db as the cluster's superuser.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://kept@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// NewDatabase creates an empty database and returns its URL; tb's cleanup
// drops it.
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	url, drop, err := c.CreateDatabase(context.Background())
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(drop)
	return url
}

// CreateDatabase creates an empty database and returns its URL and a
// function that drops it.
func (c *Cluster) CreateDatabase(ctx context.Context) (url string, drop func(), err error) {
	name := fmt.Sprintf("t%d_%d", os.Getpid(), c.dbs.Add(1))
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	return c.URL(name), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}, nil
}

// Exec runs sql in the postgres database as the superuser.
func (c *Cluster) Exec(ctx context.Context, sql string, args ...any) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("%s: %w", strings.Fields(sql)[0], err)
	}
	return nil
}
