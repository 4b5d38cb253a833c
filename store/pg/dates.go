package pg

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// The customer dates index (migration 6), as the bbolt store's
// dateprompts bucket: renewal_ns is a customer's pending renewal,
// anniversary_ns its earliest pending anniversary prompt
// (model.Customer.DateIndex), NULL for none. A tick reads the first up to
// now plus the notice and the second up to now.

// dateIndex is c's two index columns.
func dateIndex(c store.Customer) (renewal, anniversary *int64) {
	r, a := c.DateIndex()
	if !r.IsZero() {
		n := nanos(r)
		renewal = &n
	}
	if !a.IsZero() {
		n := nanos(a)
		anniversary = &n
	}
	return renewal, anniversary
}

// A tick's questions of the dates index.
const (
	qDateWork = `SELECT least(min(renewal_ns) - $1, min(anniversary_ns)) FROM customers`
	// One statement per index, not one with OR: ordered and limited, an
	// OR of the two is read through the primary key, the whole table.
	qClaimRenewals         = `SELECT doc FROM customers WHERE renewal_ns <= $1 ORDER BY renewal_ns, team, key LIMIT $2 FOR UPDATE SKIP LOCKED`
	qClaimRenewalsAll      = `SELECT doc FROM customers WHERE renewal_ns <= $1 ORDER BY renewal_ns, team, key FOR UPDATE SKIP LOCKED`
	qClaimAnniversaries    = `SELECT doc FROM customers WHERE anniversary_ns <= $1 ORDER BY anniversary_ns, team, key LIMIT $2 FOR UPDATE SKIP LOCKED`
	qClaimAnniversariesAll = `SELECT doc FROM customers WHERE anniversary_ns <= $1 ORDER BY anniversary_ns, team, key FOR UPDATE SKIP LOCKED`
)

// ClaimDates queues the prompts of customer dates due at now, in one
// transaction, as the bbolt store's ClaimDates: each customer whose
// renewal is within pol's notice or whose anniversary prompt has come is
// claimed (model.Customer.ClaimDates) and re-indexed. Rows another
// replica holds are skipped, and it claims them. Fenced.
func (s *Store) ClaimDates(now time.Time, pol model.DatePolicy, limit int) ([]store.Nudge, error) {
	now = now.UTC()
	ahead := int64(pol.Ahead())
	s.datesAhead.Store(ahead) // for Quiet
	due, err := s.workBy(now, qDateWork, ahead)
	if err != nil || !due {
		return nil, wrap("pg: claim dates", err)
	}
	var out []store.Nudge
	err = s.tx(true, func(ctx context.Context, tx pgx.Tx) error {
		out = nil
		// At most limit entries of the two classes together. A customer
		// due in both is read twice and claimed whole once.
		var recs []customerRecord
		seen := map[[2]string]bool{}
		for _, c := range []struct {
			all, limited string
			upTo         int64
		}{{qClaimRenewalsAll, qClaimRenewals, nanos(now) + ahead}, {qClaimAnniversariesAll, qClaimAnniversaries, nanos(now)}} {
			q, args := c.all, []any{c.upTo}
			if limit > 0 {
				left := limit - len(recs)
				if left <= 0 {
					break
				}
				q, args = c.limited, append(args, left)
			}
			got, err := docs[customerRecord](ctx, tx, "customer", q, args...)
			if err != nil {
				return err
			}
			for _, r := range got {
				if k := [2]string{r.Team, r.Key()}; !seen[k] {
					seen[k] = true
					recs = append(recs, r)
				}
			}
		}
		for i := range recs {
			out = append(out, recs[i].ClaimDates(now, pol)...) // model: each occurrence once
		}
		return writeClaims(ctx, tx, recs, out, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("pg: claim dates: %w", err)
	}
	return out, nil
}

// fillDateIndex files the dates of the customers stored with dates before
// migration 6.
func fillDateIndex(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT doc FROM customers WHERE doc->'dates' IS NOT NULL`)
	if err != nil {
		return err
	}
	raw, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return err
	}
	for _, doc := range raw {
		var c store.Customer
		if json.Unmarshal(doc, &c) != nil {
			continue // not readable before either
		}
		r, a := dateIndex(c)
		if _, err := tx.Exec(ctx, `UPDATE customers SET renewal_ns = $3, anniversary_ns = $4 WHERE team = $1 AND key = $2`,
			c.Team, store.CustomerKey(c.Name), r, a); err != nil {
			return fmt.Errorf("date index: %w", err)
		}
	}
	return nil
}

// workBy reports whether q, a probe of the earliest entry an index holds
// (nanoseconds, NULL for none), finds one due by now: most ticks find
// nothing, and a read costs less than a locking transaction.
func (s *Store) workBy(now time.Time, q string, args ...any) (bool, error) {
	var next *int64
	err := s.read(func(ctx context.Context, p *pgxpool.Pool) error {
		return p.QueryRow(ctx, q, args...).Scan(&next)
	})
	return err == nil && next != nil && *next <= nanos(now), err
}

// wrap is err with context, nil for nil.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
