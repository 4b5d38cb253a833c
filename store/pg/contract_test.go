package pg_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/keptbot/kept/store/pg"
	"github.com/keptbot/kept/store/storetest"
)

// pgBackend is the PostgreSQL store with the admin side the suite needs.
type pgBackend struct{ *pg.Store }

// Undecodable: a jsonb column cannot hold an undecodable record.
func (pgBackend) Undecodable() int64 { return 0 }

// Backup: PostgreSQL is backed up with its own tools.
func (pgBackend) Backup(io.Writer) (int64, error) {
	return 0, errors.New("pg: back up PostgreSQL with pg_dump")
}

// Check: the store's own check, without its report.
func (b pgBackend) Check() error {
	_, err := b.Store.Check(context.Background())
	return err
}

// TestConforms holds the PostgreSQL store to the storage contract.
func TestConforms(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		New: func(st storetest.T, now func() time.Time) storetest.Backend {
			s, _ := openPG(t, now)
			return pgBackend{s}
		},
	})
}
