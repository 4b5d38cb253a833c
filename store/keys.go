package store

import (
	"encoding/binary"
	"time"
)

// Index keys start with a big-endian instant so that byte order is time
// order and a Cursor.Seek can stop at "now" without reading what is later.

// nanos encodes t for an index key. Instants before 1970 would wrap around
// as uint64, so they are clamped to the epoch: they are due either way.
func nanos(t time.Time) uint64 {
	n := t.UnixNano()
	if n < 0 {
		return 0
	}
	return uint64(n)
}

func itob(v int64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(v))
	return b
}

func btoi(b []byte) int64 { return int64(binary.BigEndian.Uint64(b)) }

// dueKey is next-action instant + promise id + team.
func dueKey(at time.Time, id int64, team string) []byte {
	k := make([]byte, 16, 16+len(team))
	binary.BigEndian.PutUint64(k, nanos(at))
	binary.BigEndian.PutUint64(k[8:], uint64(id))
	return append(k, team...)
}

func parseDueKey(k []byte) (at uint64, id int64, team string) {
	return binary.BigEndian.Uint64(k), btoi(k[8:16]), string(k[16:])
}

// timeKey is instant + 8-byte id, used by the outbox.
func timeKey(at time.Time, id int64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, nanos(at))
	binary.BigEndian.PutUint64(k[8:], uint64(id))
	return k
}

// opAgeKey is instant + op, so old de-dup records can be pruned in time order.
func opAgeKey(at time.Time, op string) []byte {
	k := make([]byte, 8, 8+len(op))
	binary.BigEndian.PutUint64(k, nanos(at))
	return append(k, op...)
}

// upTo reports whether an index key's instant is at or before limit.
func upTo(k []byte, limit uint64) bool {
	return len(k) >= 8 && binary.BigEndian.Uint64(k) <= limit
}
