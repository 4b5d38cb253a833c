package daemon_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/keptbot/kept/store/pg/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// onPostgres says whether the end-to-end tests run on PostgreSQL
// (KEPT_TEST_DB=postgres, as .ci/run does in a step of its own) rather
// than on a bbolt file.
func onPostgres() bool { return os.Getenv("KEPT_TEST_DB") == "postgres" }

// testDB is a fresh database for one test: a bbolt file, or a database
// in the package's throwaway PostgreSQL cluster.
func testDB(t *testing.T) string {
	t.Helper()
	if onPostgres() {
		return pgtest.Shared(t).NewDatabase(t)
	}
	return filepath.Join(t.TempDir(), "kept.db")
}
