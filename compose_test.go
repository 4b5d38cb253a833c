package main

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/metrics"
	"github.com/keptbot/kept/store/pg/pgtest"
)

// composeVar is compose's interpolation: ${NAME}, ${NAME:-default},
// ${NAME:?message}.
var composeVar = regexp.MustCompile(`\$\{(\w+)(?::([?-])([^}]*))?\}`)

// TestComposeFile checks compose.yaml as far as a machine without a Docker
// engine can: that it parses, that both replicas get one environment that
// kept accepts, whose database URL names the db service with its user,
// database and password, that each health check runs a real command with
// flags it has, pointed at the port the replica listens on, and that the
// replicas wait for a healthy database. It does not start the containers.
func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := yamlValues(raw)
	one := func(key string) string {
		t.Helper()
		v := m[key]
		if len(v) != 1 {
			t.Fatalf("compose.yaml: %s = %q, want one value", key, v)
		}
		return v[0]
	}
	// What the README tells the reader to export.
	exported := map[string]string{"SLACK_APP_TOKEN": "xapp-1-A1-1-abc", "SLACK_BOT_TOKEN": "xoxb-1-abc", "KEPT_DB_PASSWORD": "0123abcd"}
	interpolate := func(v string) string {
		return composeVar.ReplaceAllStringFunc(v, func(ref string) string {
			g := composeVar.FindStringSubmatch(ref)
			val, set := exported[g[1]]
			switch {
			case set:
				return val
			case g[2] == "-":
				return g[3]
			}
			t.Errorf("compose.yaml uses %s, which the README's export line does not set", ref)
			return ""
		})
	}

	// kept-b is kept-a (a YAML merge of its anchor) on another host port.
	if one("services.kept-a") != "&kept" || one("services.kept-b.<<") != "*kept" {
		t.Fatalf("kept-b is not kept-a merged: kept-a %q, kept-b << %q", m["services.kept-a"], m["services.kept-b.<<"])
	}
	env := map[string]string{}
	known := map[string]bool{}
	for _, s := range config.Settings {
		known[s.Name] = true
	}
	for key, v := range m {
		if name, ok := strings.CutPrefix(key, "services.kept-a.environment."); ok {
			if !known[name] {
				t.Errorf("compose.yaml sets %s, which kept does not read", name)
			}
			env[name] = interpolate(v[0])
		}
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, true)
	if err != nil {
		t.Fatalf("kept refuses compose.yaml's environment: %v", err)
	}
	if !config.Postgres(cfg.DB) {
		t.Fatalf("KEPT_DB %q is not a PostgreSQL URL: the replicas would each open a bbolt file", cfg.DB)
	}
	db, err := pgconn.ParseConfig(cfg.DB)
	if err != nil {
		t.Fatalf("KEPT_DB: %v", err)
	}
	if _, ok := m["services."+db.Host+".image"]; !ok {
		t.Errorf("KEPT_DB's host %q is not a service of compose.yaml", db.Host)
	}
	if db.User != one("services.db.environment.POSTGRES_USER") || db.Database != one("services.db.environment.POSTGRES_DB") ||
		db.Password != interpolate(one("services.db.environment.POSTGRES_PASSWORD")) || db.Port != 5432 {
		t.Errorf("KEPT_DB %s does not match the db service's user, database, password and port", cfg.DB)
	}
	if one("services.kept-a.depends_on.db.condition") != "service_healthy" {
		t.Error("the replicas do not wait for a healthy database")
	}

	// The replicas' health check: kept health, at the path the Dockerfile
	// copies the binary to, asking the port KEPT_METRICS_ADDR listens on,
	// which both port mappings publish.
	var check []string
	if err := json.Unmarshal([]byte(one("services.kept-a.healthcheck.test")), &check); err != nil {
		t.Fatalf("kept's health check: %v", err)
	}
	dockerfile, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if len(check) != 3 || check[0] != "CMD" || !slices.Contains(commands, check[2]) || check[2] != "health" ||
		!strings.Contains(string(dockerfile), "/out/kept "+check[1]+"\n") {
		t.Errorf("kept's health check %q is not `kept health` at the Dockerfile's binary", check)
	}
	local, err := metrics.LocalURL(cfg.MetricsAddr)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(local)
	for _, svc := range []string{"kept-a", "kept-b"} {
		ports := m["services."+svc+".ports.[]"]
		if len(ports) != 1 || !strings.HasSuffix(ports[0], ":"+u.Port()) {
			t.Errorf("%s publishes %q, not the port kept health asks (%s)", svc, ports, local)
		}
	}

	// The database's health check: pg_isready with its flags, run here
	// against a throwaway server of the same major version.
	var dbCheck []string
	if err := json.Unmarshal([]byte(one("services.db.healthcheck.test")), &dbCheck); err != nil || len(dbCheck) != 2 || dbCheck[0] != "CMD-SHELL" {
		t.Fatalf("db's health check %q: %v", m["services.db.healthcheck.test"], err)
	}
	args := strings.Fields(dbCheck[1])
	if args[0] != "pg_isready" || !slices.Contains(args, "-U") || args[slices.Index(args, "-U")+1] != db.User {
		t.Errorf("db's health check %q does not ask pg_isready as %s", dbCheck[1], db.User)
	}
	image := one("services.db.image")
	cluster := pgtest.Shared(t)
	if want := "postgres:" + filepath.Base(filepath.Dir(cluster.Bin)); image != want {
		t.Logf("the db image is %s; pg_isready is checked with the local %s", image, cluster.Bin)
	}
	out, err := exec.Command(filepath.Join(cluster.Bin, "pg_isready"), append(args[1:], "-h", "127.0.0.1", "-p", strconv.Itoa(cluster.Port))...).CombinedOutput()
	if err != nil {
		t.Errorf("%s against a running server: %v\n%s", dbCheck[1], err, out)
	}
}
