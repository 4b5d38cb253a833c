package transfer

// What an import file may bring. A file is not typed into Slack by a
// person Slack vouches for: whatever a cell holds ends up in messages
// Kept posts (an owner of `U0NOPE> <!channel` once pinged a whole digest
// channel) and in the store's indexes (a due date past 2262 is indexed at
// 1970). So every id, link and time is held to what Slack and Kept make,
// at read time, with the line still at hand.

import (
	"errors"
	"fmt"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// The shapes of ids and links are model's (model.ValidUser and its
// siblings), the same ones every other surface and every rendered mention
// is held to; this file adds what only a file can get wrong (an id the
// sequence cannot follow, a time the store cannot index) and says which
// column is wrong.

const (
	// MaxID bounds an imported promise id: the team's sequence moves
	// past it, and next to math.MaxInt64 the next id would be negative.
	// A billion promises is more than any team makes.
	MaxID = 1_000_000_000
	// maxYears is how far ahead a time may lie, by calendar year, as for
	// a due time typed in Slack (duetime): beyond it, a date is a typo.
	maxYears = 100
)

// epoch is the earliest time Kept indexes: the store's keys are
// nanoseconds since 1970.
var epoch = time.Unix(0, 0).UTC()

func checkTeam(team string) error {
	if !model.ValidTeam(team) {
		return fmt.Errorf("team is %q, not a Slack workspace id (T…)", team)
	}
	return nil
}

func checkUser(col, id string, required bool) error {
	switch {
	case id == "" && !required:
		return nil
	case id == "":
		return fmt.Errorf("%s is empty; give a Slack user id (U…)", col)
	case !model.ValidUser(id):
		return fmt.Errorf("%s is %q, not a Slack user id (U… or W…)", col, id)
	}
	return nil
}

// checkTime holds a time to what the store can index: from 1970 to a
// hundred years from now.
func checkTime(col string, t time.Time, now time.Time) error {
	switch {
	case t.IsZero():
		return nil
	case t.Before(epoch):
		return fmt.Errorf("%s is %s, before 1970", col, t.Format(time.RFC3339))
	case t.Year()-now.Year() > maxYears:
		return fmt.Errorf("%s is %s, more than 100 years ahead", col, t.Format(time.RFC3339))
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func checkPromise(p store.Promise, now time.Time) error {
	switch {
	case !p.State.Valid():
		return fmt.Errorf("state is %q; use open, kept or cancelled", p.State)
	case p.ID <= 0:
		return fmt.Errorf("id is %d; ids are whole numbers from 1, and an existing id is updated", p.ID)
	case p.ID > MaxID:
		return fmt.Errorf("id is %d; ids go up to %d", p.ID, MaxID)
	case p.Text == "":
		return errors.New("text is empty")
	case p.Due.IsZero():
		return errors.New("due is empty")
	case p.Channel != "" && !model.ValidChannel(p.Channel):
		return fmt.Errorf("channel is %q, not a Slack channel id (C…, G… or D…)", p.Channel)
	case p.Permalink != "" && !model.ValidPermalink(p.Permalink):
		return fmt.Errorf("permalink is %q, not a link to a Slack message (https://WORKSPACE.slack.com/archives/…)", p.Permalink)
	}
	return firstErr(checkTeam(p.Team), checkUser("owner", p.Owner, true), checkUser("creator", p.Creator, false),
		checkTime("due", p.Due, now), checkTime("created", p.Created, now), checkTime("kept_at", p.KeptAt, now))
}

// checkCustomer checks c; a CSV without an owner column (ownerGiven
// false) updates customers whose stored owner stays.
func checkCustomer(c store.Customer, now time.Time, ownerGiven bool) error {
	switch {
	case c.Tier != "" && c.Tier != model.TierKey && c.Tier != model.TierStandard:
		return fmt.Errorf("tier is %q; use key or standard", c.Tier)
	case c.Cadence != 0 && (c.Cadence < model.MinCadence || c.Cadence > model.MaxCadence):
		return fmt.Errorf("cadence is %s; use every day at the shortest, every 2 years at the longest, or never", c.Cadence)
	}
	return firstErr(checkTeam(c.Team), checkUser("owner", c.Owner, ownerGiven), checkUser("last_by", c.LastBy, false),
		checkTime("created", c.Created, now), checkTime("last_touch", c.LastTouch, now), checkTime("next_prompt", c.NextPrompt, now))
}

func checkTouch(t store.Touch, now time.Time) error {
	return firstErr(checkTeam(t.Team), checkUser("by", t.By, false), checkTime("at", t.At, now))
}
