package pg

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// readDocs is docs on s's pool, outside any transaction.
func readDocs[T any](s *Store, what, sql string, args ...any) ([]T, error) {
	var out []T
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) (err error) {
		out, err = docs[T](ctx, q, what, sql, args...)
		return err
	})
	return out, err
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// docs runs sql, whose one column is a record's JSON, and decodes every
// row into a T; what names the records in a decoding error.
func docs[T any](ctx context.Context, q querier, what, sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	raw, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, nil // as the bbolt store: nil, not empty
	}
	out := make([]T, len(raw))
	for i, doc := range raw {
		if err := json.Unmarshal(doc, &out[i]); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	return out, nil
}
