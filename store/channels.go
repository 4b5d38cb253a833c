package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/keptbot/kept/model"
)

// Customer channels: a Slack channel linked to a customer, so that what is
// said there counts for that customer (issue 15). A channel belongs to one
// customer; a customer may have several channels. Alongside are when the
// customer was last heard from, the "waiting on us" items (a customer's
// message nobody on our side has answered yet), and each person's choice
// about promise suggestions.

var (
	bucketLinks      = []byte("links")      // team \x00 channel -> ChannelLink
	bucketLinksBy    = []byte("linksby")    // team \x00 customer key \x00 channel -> ""
	bucketHeard      = []byte("heard")      // team \x00 customer key -> Heard
	bucketWaits      = []byte("waits")      // team \x00 channel \x00 thread -> Wait
	bucketWaitsBy    = []byte("waitsby")    // team \x00 customer key \x00 channel \x00 thread -> ""
	bucketListenPref = []byte("listenpref") // team \x00 user -> "off"
)

// ChannelLink says that messages in Channel are about Customer.
type ChannelLink struct {
	Team     string    `json:"team"`
	Channel  string    `json:"channel"`
	Customer string    `json:"customer"` // display name, as when linked
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// Heard is the latest message from the customer's side in a linked channel.
type Heard struct {
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Channel string    `json:"channel"`
	TS      string    `json:"ts"`
}

// Wait is a customer's message in a linked channel that nobody on our side
// has answered: "waiting on us". Thread is the thread it is in, or "" for
// the channel itself; one wait is open per channel and thread, started by
// the first unanswered message.
type Wait struct {
	Team     string    `json:"team"`
	Customer string    `json:"customer"`
	Channel  string    `json:"channel"`
	Thread   string    `json:"thread,omitempty"`
	TS       string    `json:"ts"` // the message that started the wait
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Excerpt  string    `json:"excerpt,omitempty"`
	Link     string    `json:"link,omitempty"`
	// NudgeID is the DM to the owner queued for this wait, 0 if none.
	NudgeID int64 `json:"nudge_id,omitempty"`
	// DMChannel and DMTS are where that DM landed, once Slack took it
	// (WaitSent): what to delete when our side answers.
	DMChannel string `json:"dm_channel,omitempty"`
	DMTS      string `json:"dm_ts,omitempty"`
}

func linkKey(team, channel string) []byte { return []byte(team + "\x00" + channel) }

func waitKey(team, channel, thread string) []byte {
	return []byte(team + "\x00" + channel + "\x00" + thread)
}

func bucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	if tx.Writable() {
		return tx.CreateBucketIfNotExists(name)
	}
	return tx.Bucket(name), nil
}

// LinkChannel links channel to the customer named customer. Linking it
// again to the same customer changes nothing; to another customer is
// refused with ErrExists, naming the customer it belongs to. The customer
// must exist (ErrNotFound).
func (s *Bolt) LinkChannel(team, channel, customer, by string) (ChannelLink, error) {
	var out ChannelLink
	err := s.write(func(tx *bolt.Tx) error {
		_, c, err := loadCustomer(tx, team, CustomerKey(customer))
		if err != nil {
			return err
		}
		links, err := bucket(tx, bucketLinks)
		if err != nil {
			return err
		}
		if raw := links.Get(linkKey(team, channel)); raw != nil {
			var old ChannelLink
			if err := json.Unmarshal(raw, &old); err != nil {
				return fmt.Errorf("store: link %s: %w", channel, err)
			}
			if CustomerKey(old.Customer) == CustomerKey(c.Name) {
				if _, _, err := loadCustomer(tx, team, CustomerKey(old.Customer)); err == nil {
					out = old
					return nil
				}
			} else if _, _, err := loadCustomer(tx, team, CustomerKey(old.Customer)); err == nil {
				out = old
				return fmt.Errorf("%w: channel %s belongs to %s", ErrExists, channel, old.Customer)
			}
			// The old customer was removed: the channel is free.
			if err := unlink(tx, team, channel, old); err != nil {
				return err
			}
		}
		out = ChannelLink{Team: team, Channel: channel, Customer: c.Name, By: by, At: s.now().UTC()}
		raw, err := json.Marshal(out)
		if err != nil {
			return err
		}
		if err := links.Put(linkKey(team, channel), raw); err != nil {
			return err
		}
		by, err := bucket(tx, bucketLinksBy)
		if err != nil {
			return err
		}
		return by.Put([]byte(team+"\x00"+CustomerKey(c.Name)+"\x00"+channel), nil)
	})
	return out, err
}

func unlink(tx *bolt.Tx, team, channel string, old ChannelLink) error {
	if err := tx.Bucket(bucketLinks).Delete(linkKey(team, channel)); err != nil {
		return err
	}
	if by := tx.Bucket(bucketLinksBy); by != nil {
		return by.Delete([]byte(team + "\x00" + CustomerKey(old.Customer) + "\x00" + channel))
	}
	return nil
}

// UnlinkChannel removes channel's link; ErrNotFound if it had none.
func (s *Bolt) UnlinkChannel(team, channel string) (ChannelLink, error) {
	var old ChannelLink
	err := s.write(func(tx *bolt.Tx) error {
		links := tx.Bucket(bucketLinks)
		if links == nil {
			return fmt.Errorf("%w: no link for %s", ErrNotFound, channel)
		}
		raw := links.Get(linkKey(team, channel))
		if raw == nil {
			return fmt.Errorf("%w: no link for %s", ErrNotFound, channel)
		}
		if err := json.Unmarshal(raw, &old); err != nil {
			return err
		}
		return unlink(tx, team, channel, old)
	})
	return old, err
}

// ChannelCustomer returns the customer channel is linked to, as the
// customer is now: ErrNotFound if the channel is not linked or its
// customer was removed.
func (s *Bolt) ChannelCustomer(team, channel string) (Customer, error) {
	var c customerRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		links := tx.Bucket(bucketLinks)
		if links == nil {
			return fmt.Errorf("%w: no link for %s", ErrNotFound, channel)
		}
		raw := links.Get(linkKey(team, channel))
		if raw == nil {
			return fmt.Errorf("%w: no link for %s", ErrNotFound, channel)
		}
		var l ChannelLink
		if err := json.Unmarshal(raw, &l); err != nil {
			return fmt.Errorf("store: link %s: %w", channel, err)
		}
		var err error
		_, c, err = loadCustomer(tx, team, CustomerKey(l.Customer))
		return err
	})
	return c.Customer, err
}

// CustomerChannels lists the channels linked to the customer named
// customer, in id order, reading only that customer's.
func (s *Bolt) CustomerChannels(team, customer string) ([]string, error) {
	var out []string
	prefix := []byte(team + "\x00" + CustomerKey(customer) + "\x00")
	err := s.db.View(func(tx *bolt.Tx) error {
		by := tx.Bucket(bucketLinksBy)
		if by == nil {
			return nil
		}
		c := by.Cursor()
		for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		return nil
	})
	return out, err
}

// SetHeard records that the customer wrote, unless a later message is
// already recorded.
func (s *Bolt) SetHeard(team, customer string, h Heard) error {
	h.At = h.At.UTC()
	return s.write(func(tx *bolt.Tx) error {
		b, err := bucket(tx, bucketHeard)
		if err != nil {
			return err
		}
		k := []byte(team + "\x00" + CustomerKey(customer))
		if raw := b.Get(k); raw != nil {
			var old Heard
			if json.Unmarshal(raw, &old) == nil && old.At.After(h.At) {
				return nil
			}
		}
		raw, err := json.Marshal(h)
		if err != nil {
			return err
		}
		return b.Put(k, raw)
	})
}

// LastHeard returns when the customer was last heard from; the zero Heard
// if never.
func (s *Bolt) LastHeard(team, customer string) (Heard, error) {
	var h Heard
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHeard)
		if b == nil {
			return nil
		}
		if raw := b.Get([]byte(team + "\x00" + CustomerKey(customer))); raw != nil {
			return json.Unmarshal(raw, &h)
		}
		return nil
	})
	return h, err
}

// TeamHeard returns when each of team's customers was last heard from,
// by customer key, in one read: the health of every customer needs it,
// and a lookup per customer would cost the list and the digest a read
// each.
func (s *Bolt) TeamHeard(team string) (map[string]Heard, error) {
	out := map[string]Heard{}
	prefix := []byte(team + "\x00")
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHeard)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var h Heard
			if json.Unmarshal(v, &h) == nil {
				out[string(k[len(prefix):])] = h
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: team heard: %w", err)
	}
	return out, nil
}

// Waiting is the kind of the nudge that tells a customer's owner the
// customer is waiting on us; its Subject is the wait's "channel|thread".
const Waiting = model.NudgeWaiting

// ErrWaiting is returned by OpenWait when a wait is already open for the
// channel and thread: the clock runs from the first unanswered message.
var ErrWaiting = errors.New("store: already waiting on us there")

// ErrOtherWait is returned by CloseWait when the open wait is not the
// one asked for: a newer message started it.
var ErrOtherWait = errors.New("store: a newer message waits on us there")

// OpenWait records w unless one is open for its channel and thread, and
// queues n (if its Kind is set) as its DM, in one transaction. It returns
// the wait as stored.
func (s *Bolt) OpenWait(wait Wait, nudge Nudge) (Wait, error) {
	wait.At = wait.At.UTC()
	var (
		w Wait
		n Nudge
	)
	err := s.write(func(tx *bolt.Tx) error {
		// Batch may run this more than once: start from the arguments.
		w, n = wait, nudge
		waits, err := bucket(tx, bucketWaits)
		if err != nil {
			return err
		}
		k := waitKey(w.Team, w.Channel, w.Thread)
		if raw := waits.Get(k); raw != nil {
			return ErrWaiting
		}
		if n.Kind != "" {
			n.State, n.Created = NudgeDue, s.now().UTC()
			if err := putNudge(tx, nil, &n); err != nil {
				return err
			}
			w.NudgeID = n.ID
		}
		raw, err := json.Marshal(w)
		if err != nil {
			return err
		}
		if err := waits.Put(k, raw); err != nil {
			return err
		}
		by, err := bucket(tx, bucketWaitsBy)
		if err != nil {
			return err
		}
		return by.Put([]byte(w.Team+"\x00"+CustomerKey(w.Customer)+"\x00"+w.Channel+"\x00"+w.Thread), nil)
	})
	return w, err
}

// Wait returns the open wait for channel and thread; ErrNotFound if none.
func (s *Bolt) Wait(team, channel, thread string) (Wait, error) {
	var w Wait
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWaits)
		if b == nil {
			return ErrNotFound
		}
		raw := b.Get(waitKey(team, channel, thread))
		if raw == nil {
			return ErrNotFound
		}
		return json.Unmarshal(raw, &w)
	})
	return w, err
}

// WaitSent records where the DM of nudge nudgeID about the wait for
// channel and thread landed. ErrNotFound if that wait is no longer open
// (our side answered, or it was handled, while the DM was on its way):
// the caller then withdraws the DM. With CloseWait, which returns the DM's
// place, it settles a DM crossing our reply either way round: whichever
// commits second sees the other.
func (s *Bolt) WaitSent(team, channel, thread string, nudgeID int64, dmChannel, dmTS string) error {
	return s.write(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWaits)
		if b == nil {
			return fmt.Errorf("%w: no wait in %s", ErrNotFound, channel)
		}
		k := waitKey(team, channel, thread)
		raw := b.Get(k)
		if raw == nil {
			return fmt.Errorf("%w: no wait in %s", ErrNotFound, channel)
		}
		var w Wait
		if err := json.Unmarshal(raw, &w); err != nil {
			return err
		}
		if w.NudgeID != nudgeID {
			return fmt.Errorf("%w: the wait in %s is another nudge's", ErrNotFound, channel)
		}
		w.DMChannel, w.DMTS = dmChannel, dmTS
		raw, err := json.Marshal(w)
		if err != nil {
			return err
		}
		return b.Put(k, raw)
	})
}

// CloseWait ends the open wait for channel and thread (our side answered,
// or the owner said it was handled) and returns it; ErrNotFound if none.
// With ts set, a wait another message started stays open (ErrOtherWait).
func (s *Bolt) CloseWait(team, channel, thread, ts string) (Wait, error) {
	var w Wait
	err := s.write(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWaits)
		if b == nil {
			return ErrNotFound
		}
		k := waitKey(team, channel, thread)
		raw := b.Get(k)
		if raw == nil {
			return ErrNotFound
		}
		if err := json.Unmarshal(raw, &w); err != nil {
			return err
		}
		if ts != "" && w.TS != ts {
			return ErrOtherWait
		}
		if err := b.Delete(k); err != nil {
			return err
		}
		if by := tx.Bucket(bucketWaitsBy); by != nil {
			return by.Delete([]byte(team + "\x00" + CustomerKey(w.Customer) + "\x00" + channel + "\x00" + thread))
		}
		return nil
	})
	return w, err
}

// CustomerWaits lists the open waits of the customer named customer,
// oldest first.
func (s *Bolt) CustomerWaits(team, customer string) ([]Wait, error) {
	var out []Wait
	prefix := []byte(team + "\x00" + CustomerKey(customer) + "\x00")
	err := s.db.View(func(tx *bolt.Tx) error {
		by, waits := tx.Bucket(bucketWaitsBy), tx.Bucket(bucketWaits)
		if by == nil || waits == nil {
			return nil
		}
		c := by.Cursor()
		for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
			channel, thread, _ := strings.Cut(string(k[len(prefix):]), "\x00")
			var w Wait
			if raw := waits.Get(waitKey(team, channel, thread)); raw != nil && json.Unmarshal(raw, &w) == nil {
				out = append(out, w)
			}
		}
		return nil
	})
	sortWaits(out)
	return out, err
}

// TeamWaits lists the team's open waits, oldest first, for the digest.
func (s *Bolt) TeamWaits(team string) ([]Wait, error) {
	var out []Wait
	prefix := []byte(team + "\x00")
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWaits)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
			var w Wait
			if json.Unmarshal(v, &w) == nil {
				out = append(out, w)
			}
		}
		return nil
	})
	sortWaits(out)
	return out, err
}

func sortWaits(ws []Wait) {
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && ws[j].At.Before(ws[j-1].At); j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
}

// SetSuggestions turns promise suggestions on or off for user.
func (s *Bolt) SetSuggestions(team, user string, on bool) error {
	return s.write(func(tx *bolt.Tx) error {
		b, err := bucket(tx, bucketListenPref)
		if err != nil {
			return err
		}
		k := []byte(team + "\x00" + user)
		if on {
			return b.Delete(k)
		}
		return b.Put(k, []byte("off"))
	})
}

// SuggestionsOff reports whether user turned promise suggestions off.
func (s *Bolt) SuggestionsOff(team, user string) (bool, error) {
	var off bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketListenPref); b != nil {
			off = b.Get([]byte(team+"\x00"+user)) != nil
		}
		return nil
	})
	return off, err
}
