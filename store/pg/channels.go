package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keptbot/kept/store"
)

// Customer channels, as the bbolt store keeps them (store/channels.go):
// the same rules, tables from migration 2.

// LinkChannel links channel to the customer named customer: the same
// customer again changes nothing, another is refused with ErrExists
// naming the owner of the channel, an unknown customer is ErrNotFound.
func (s *Store) LinkChannel(team, channel, customer, by string) (store.ChannelLink, error) {
	var out store.ChannelLink
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		c, err := loadCustomer(ctx, tx, team, store.CustomerKey(customer), false)
		if err != nil {
			return err
		}
		var doc []byte
		err = tx.QueryRow(ctx, `SELECT doc FROM channel_links WHERE team = $1 AND channel = $2 FOR UPDATE`, team, channel).Scan(&doc)
		switch {
		case err == nil:
			var old store.ChannelLink
			if err := json.Unmarshal(doc, &old); err != nil {
				return fmt.Errorf("link %s: %w", channel, err)
			}
			if _, lerr := loadCustomer(ctx, tx, team, store.CustomerKey(old.Customer), false); lerr == nil {
				out = old
				if store.CustomerKey(old.Customer) == store.CustomerKey(c.Name) {
					return nil
				}
				return fmt.Errorf("%w: channel %s belongs to %s", store.ErrExists, channel, old.Customer)
			}
			// The old customer was removed: the channel is free.
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		out = store.ChannelLink{Team: team, Channel: channel, Customer: c.Name, By: by, At: s.now().UTC()}
		raw, err := json.Marshal(out)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO channel_links (team, channel, customer_key, doc) VALUES ($1, $2, $3, $4)
			ON CONFLICT (team, channel) DO UPDATE SET customer_key = EXCLUDED.customer_key, doc = EXCLUDED.doc`,
			team, channel, store.CustomerKey(c.Name), raw)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("pg: link channel: %w", err)
	}
	return out, nil
}

// UnlinkChannel removes channel's link; ErrNotFound if it had none.
func (s *Store) UnlinkChannel(team, channel string) (store.ChannelLink, error) {
	var old store.ChannelLink
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		var doc []byte
		err := tx.QueryRow(ctx, `DELETE FROM channel_links WHERE team = $1 AND channel = $2 RETURNING doc`, team, channel).Scan(&doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: no link for %s", store.ErrNotFound, channel)
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(doc, &old)
	})
	if err != nil {
		return old, fmt.Errorf("pg: unlink channel: %w", err)
	}
	return old, nil
}

// ChannelCustomer returns the customer channel is linked to, as it is
// now; ErrNotFound if none, or if that customer was removed.
func (s *Store) ChannelCustomer(team, channel string) (store.Customer, error) {
	var c store.Customer
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		var key string
		err := q.QueryRow(ctx, `SELECT customer_key FROM channel_links WHERE team = $1 AND channel = $2`, team, channel).Scan(&key)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: no link for %s", store.ErrNotFound, channel)
		}
		if err != nil {
			return err
		}
		r, err := loadCustomer(ctx, q, team, key, false)
		c = r.Customer
		return err
	})
	if err != nil {
		return c, fmt.Errorf("pg: channel customer: %w", err)
	}
	return c, nil
}

// CustomerChannels lists the customer's channels in id order.
func (s *Store) CustomerChannels(team, customer string) ([]string, error) {
	var out []string
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		rows, err := q.Query(ctx, `SELECT channel FROM channel_links WHERE team = $1 AND customer_key = $2 ORDER BY channel`, team, store.CustomerKey(customer))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pg: customer channels: %w", err)
	}
	return out, nil
}

// SetHeard records that the customer wrote, unless a later message is
// already recorded.
func (s *Store) SetHeard(team, customer string, h store.Heard) error {
	h.At = h.At.UTC()
	raw, err := json.Marshal(h)
	if err != nil {
		return err
	}
	err = s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO heard (team, customer_key, at_ns, doc) VALUES ($1, $2, $3, $4)
			ON CONFLICT (team, customer_key) DO UPDATE SET at_ns = EXCLUDED.at_ns, doc = EXCLUDED.doc WHERE heard.at_ns <= EXCLUDED.at_ns`,
			team, store.CustomerKey(customer), nanos(h.At), raw)
		return err
	})
	if err != nil {
		return fmt.Errorf("pg: set heard: %w", err)
	}
	return nil
}

// LastHeard returns when the customer was last heard from; zero if never.
func (s *Store) LastHeard(team, customer string) (store.Heard, error) {
	var h store.Heard
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		var doc []byte
		err := q.QueryRow(ctx, `SELECT doc FROM heard WHERE team = $1 AND customer_key = $2`, team, store.CustomerKey(customer)).Scan(&doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(doc, &h)
	})
	if err != nil {
		return h, fmt.Errorf("pg: last heard: %w", err)
	}
	return h, nil
}

// TeamHeard returns when each of team's customers was last heard from,
// by customer key, in one query.
func (s *Store) TeamHeard(team string) (map[string]store.Heard, error) {
	out := map[string]store.Heard{}
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		rows, err := q.Query(ctx, `SELECT customer_key, doc FROM heard WHERE team = $1`, team)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				key string
				doc []byte
				h   store.Heard
			)
			if err := rows.Scan(&key, &doc); err != nil {
				return err
			}
			if json.Unmarshal(doc, &h) == nil {
				out[key] = h
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("pg: team heard: %w", err)
	}
	return out, nil
}

// OpenWait records the wait unless one is open for its channel and thread
// (store.ErrWaiting), and queues nudge (if it has a Kind) as its DM, in one
// transaction.
func (s *Store) OpenWait(wait store.Wait, nudge store.Nudge) (store.Wait, error) {
	var w store.Wait
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		nw, n := wait, nudge
		nw.At = nw.At.UTC()
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM waits WHERE team = $1 AND channel = $2 AND thread = $3 FOR UPDATE`, nw.Team, nw.Channel, nw.Thread).Scan(&one)
		if err == nil {
			return store.ErrWaiting
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if n.Kind != "" {
			n.ID, n.State, n.Created = 0, store.NudgeDue, s.now().UTC()
			if err := putNudge(ctx, tx, &n); err != nil {
				return err
			}
			nw.NudgeID = n.ID
		}
		raw, err := json.Marshal(nw)
		if err != nil {
			return err
		}
		// FOR UPDATE above locks no row when there is none: two messages
		// at once (two replicas) both get here, and the primary key lets
		// one in. The other is ErrWaiting, and its DM rolls back with it.
		tag, err := tx.Exec(ctx, `INSERT INTO waits (team, channel, thread, customer_key, at_ns, doc) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT DO NOTHING`, nw.Team, nw.Channel, nw.Thread, store.CustomerKey(nw.Customer), nanos(nw.At), raw)
		if err == nil && tag.RowsAffected() == 0 {
			return store.ErrWaiting
		}
		w = nw
		return err
	})
	if errors.Is(err, store.ErrWaiting) {
		return w, err
	}
	if err != nil {
		return store.Wait{}, fmt.Errorf("pg: open wait: %w", err)
	}
	return w, nil
}

// Wait returns the open wait for channel and thread; ErrNotFound if none.
func (s *Store) Wait(team, channel, thread string) (store.Wait, error) {
	var w store.Wait
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		var doc []byte
		err := q.QueryRow(ctx, `SELECT doc FROM waits WHERE team = $1 AND channel = $2 AND thread = $3`, team, channel, thread).Scan(&doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(doc, &w)
	})
	return w, err
}

// WaitSent records where the wait's DM landed; ErrNotFound if the wait
// closed meanwhile or belongs to another nudge. The row lock it takes
// orders it with CloseWait: whichever commits second sees the other.
func (s *Store) WaitSent(team, channel, thread string, nudgeID int64, dmChannel, dmTS string) error {
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		var doc []byte
		err := tx.QueryRow(ctx, `SELECT doc FROM waits WHERE team = $1 AND channel = $2 AND thread = $3 FOR UPDATE`, team, channel, thread).Scan(&doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: no wait in %s", store.ErrNotFound, channel)
		}
		if err != nil {
			return err
		}
		var w store.Wait
		if err := json.Unmarshal(doc, &w); err != nil {
			return err
		}
		if w.NudgeID != nudgeID {
			return fmt.Errorf("%w: the wait in %s is another nudge's", store.ErrNotFound, channel)
		}
		w.DMChannel, w.DMTS = dmChannel, dmTS
		raw, err := json.Marshal(w)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE waits SET doc = $4 WHERE team = $1 AND channel = $2 AND thread = $3`, team, channel, thread, raw)
		return err
	})
	if err != nil {
		return fmt.Errorf("pg: wait sent: %w", err)
	}
	return nil
}

// CloseWait ends the open wait for channel and thread and returns it;
// ErrNotFound if none. With ts set, a wait another message started stays
// open (store.ErrOtherWait): the row is locked while its ts is compared.
func (s *Store) CloseWait(team, channel, thread, ts string) (store.Wait, error) {
	var w store.Wait
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		var doc []byte
		err := tx.QueryRow(ctx, `SELECT doc FROM waits WHERE team = $1 AND channel = $2 AND thread = $3 FOR UPDATE`, team, channel, thread).Scan(&doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal(doc, &w); err != nil {
			return err
		}
		if ts != "" && w.TS != ts {
			return store.ErrOtherWait
		}
		_, err = tx.Exec(ctx, `DELETE FROM waits WHERE team = $1 AND channel = $2 AND thread = $3`, team, channel, thread)
		return err
	})
	return w, err
}

// CustomerWaits lists the customer's open waits, oldest first.
func (s *Store) CustomerWaits(team, customer string) ([]store.Wait, error) {
	return s.waits(`SELECT doc FROM waits WHERE team = $1 AND customer_key = $2 ORDER BY at_ns, channel, thread`, team, store.CustomerKey(customer))
}

// TeamWaits lists the team's open waits, oldest first, for the digest.
func (s *Store) TeamWaits(team string) ([]store.Wait, error) {
	return s.waits(`SELECT doc FROM waits WHERE team = $1 ORDER BY at_ns, channel, thread`, team)
}

func (s *Store) waits(sql string, args ...any) ([]store.Wait, error) {
	out, err := readDocs[store.Wait](s, "wait", sql, args...)
	if err != nil {
		return nil, fmt.Errorf("pg: waits: %w", err)
	}
	return out, nil
}

// SetSuggestions turns promise suggestions on or off for user.
func (s *Store) SetSuggestions(team, user string, on bool) error {
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if on {
			_, err = tx.Exec(ctx, `DELETE FROM listen_prefs WHERE team = $1 AND user_id = $2`, team, user)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO listen_prefs (team, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, team, user)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("pg: suggestions: %w", err)
	}
	return nil
}

// SuggestionsOff reports whether user turned promise suggestions off.
func (s *Store) SuggestionsOff(team, user string) (bool, error) {
	var off bool
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		return q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM listen_prefs WHERE team = $1 AND user_id = $2)`, team, user).Scan(&off)
	})
	if err != nil {
		return false, fmt.Errorf("pg: suggestions: %w", err)
	}
	return off, nil
}
