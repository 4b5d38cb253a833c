package inbound

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// The team view: a lead's App Home shows, when they ask for it, every late
// promise, the customers neglected and going quiet, the messages waiting
// on us and each owner's scorecard, with buttons to nudge an owner,
// reassign and open a customer. Only leads (KEPT_LEADS, its user groups)
// and admins see it or may use its buttons: every click is checked again,
// since a click can be forged.

// scoreWeeks is how many weeks the scorecard shows before this one.
const scoreWeeks = 4

// refuseTeam is the answer to a team view click by someone who is not a
// lead: it names no one and nothing of the team.
func refuseTeam() error {
	return forbidden("The team view is for leads: it shows every late promise and who is behind with which customer. Only the leads (KEPT_LEADS) and admins (KEPT_ADMINS) can use it; ask whoever runs Kept to add you.")
}

// teamAction handles the team view's buttons and the way to it.
func (b *Bot) teamAction(k click) error {
	ctx, cb, a := k.ctx, k.cb, k.a
	team, lead := cb.Team.ID, cb.User.ID
	if !b.mayLead(ctx, lead) {
		return refuseTeam()
	}
	switch a.ActionID {
	case slackui.ActionTeamView, slackui.ActionTeamRefresh:
		b.homes.setTeam(team, lead, true)
		b.later(ctx, func(ctx context.Context) { b.publishTeam(ctx, team, lead, "") })
		return nil
	case slackui.ActionTeamMine:
		b.homes.setTeam(team, lead, false)
		b.later(ctx, func(ctx context.Context) { b.publishHome(ctx, team, lead) })
		return nil
	case slackui.ActionTeamOpen:
		return b.openCustomerCard(ctx, cb, a.Value)
	}
	row, ok := slackui.ParseTeamRow(a.BlockID)
	if !ok {
		b.cfg.Log.Warn("team view click with a bad block id", "block", a.BlockID)
		return errDamagedButton
	}
	switch a.ActionID {
	case slackui.ActionTeamNudge:
		return b.teamNudge(ctx, team, lead, row)
	case slackui.ActionTeamReassign:
		return b.teamReassign(ctx, k.op, team, lead, row, a.SelectedUser)
	}
	return nil
}

// publishTeam draws the team view for lead, with note at its top.
func (b *Bot) publishTeam(ctx context.Context, team, lead, note string) {
	b.homes.add(team, lead)
	t, err := b.gatherTeam(team, b.zoneOr(ctx, lead))
	if err != nil {
		b.cfg.Log.Error("team view", "err", err)
		return
	}
	t.Note = note
	view := slackui.TeamView(t, b.zoneOr(ctx, lead), b.cfg.Now())
	if _, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: lead, View: view}); err != nil {
		b.cfg.Log.Error("team view: publish", "user", lead, "err", err)
	}
}

// gatherTeam reads what the team view shows; loc is the lead's zone, in
// which the scorecard's weeks start.
func (b *Bot) gatherTeam(team string, loc *time.Location) (slackui.Team, error) {
	now := b.cfg.Now()
	var t slackui.Team
	cs, err := b.store.Customers(team)
	if err != nil {
		return t, fmt.Errorf("inbound: team view: %w", err)
	}
	health, err := b.teamHealth(team, cs)
	if err != nil {
		return t, err
	}
	owner := map[string]string{}
	for _, c := range cs {
		owner[c.Key()] = c.Owner
		if h := health[c.Key()]; h.Health == model.HealthNeglected || h.Health == model.HealthGoingQuiet {
			t.Customers = append(t.Customers, slackui.TeamCustomer{Customer: c, Health: h.Health, Why: h.Why})
		}
	}
	slices.SortStableFunc(t.Customers, func(x, y slackui.TeamCustomer) int {
		return cmp.Or(cmp.Compare(y.Health.Severity(), x.Health.Severity()), x.CheckinDue().Compare(y.CheckinDue()))
	})
	all, err := b.store.Promises(team, "", "")
	if err != nil {
		return t, fmt.Errorf("inbound: team view: %w", err)
	}
	for _, p := range all {
		if p.Late(now) {
			t.Late = append(t.Late, p)
		}
	}
	slices.SortStableFunc(t.Late, func(x, y store.Promise) int { return x.Due.Compare(y.Due) })
	waits, err := b.store.TeamWaits(team)
	if err != nil {
		return t, fmt.Errorf("inbound: team view: %w", err)
	}
	for _, w := range waits {
		if o, ok := owner[store.CustomerKey(w.Customer)]; ok {
			t.Waiting = append(t.Waiting, slackui.TeamWait{Wait: w, Owner: o})
		}
	}
	t.Starts = digest.WeekStarts(now, loc, scoreWeeks)
	touches, err := b.store.TouchesBetween(team, t.Starts[len(t.Starts)-1], now.Add(time.Nanosecond))
	if err != nil {
		return t, fmt.Errorf("inbound: team view: %w", err)
	}
	for o, weeks := range digest.Scorecard(all, touches, t.Starts, now) {
		t.Scores = append(t.Scores, slackui.OwnerScore{Owner: o, Weeks: weeks})
	}
	// The most late first: who needs a word; then by id, to stay put.
	slices.SortFunc(t.Scores, func(x, y slackui.OwnerScore) int {
		return cmp.Or(cmp.Compare(y.Weeks[0].Late, x.Weeks[0].Late), strings.Compare(x.Owner, y.Owner))
	})
	return t, nil
}

// teamNudge DMs a row's owner: the promise's reminder, the customer's
// check-in prompt or the waiting message, under a line saying which lead
// asked. The lead's team view then says it was sent.
func (b *Bot) teamNudge(ctx context.Context, team, lead string, row slackui.TeamRow) error {
	now := b.cfg.Now()
	var (
		to, what, fallback string
		blocks             []slack.Block
	)
	switch row.Kind {
	case 'p':
		p, err := b.store.Promise(team, row.ID)
		if err != nil {
			return b.lookupError(err, row.ID)
		}
		if p.State != store.Open {
			return conflict(fmt.Sprintf("#%d is no longer open; nothing to nudge about.", p.ID))
		}
		to, what = p.Owner, fmt.Sprintf("#%d", p.ID)
		fallback, blocks = slackui.Reminder(p, p.Late(now), b.zoneOr(ctx, p.Owner), now)
	default:
		c, err := b.store.Customer(team, row.Key)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("That customer has been removed; nothing to nudge about.")
		}
		if err != nil {
			return fmt.Errorf("inbound: team nudge: %w", err)
		}
		to, what = c.Owner, "*"+slackui.Escape(c.Name)+"*"
		fallback, blocks = slackui.Checkin(c, 0, b.zoneOr(ctx, c.Owner), now)
		if row.Kind == 'w' {
			what += "'s messages waiting on us"
			blocks = b.channelLines(team, c, b.zoneOr(ctx, c.Owner))
			fallback = "Messages from " + slackui.Escape(c.Name) + " are waiting on us."
		}
	}
	blocks = append([]slack.Block{slackui.TeamNudge(lead, what)}, blocks...)
	b.later(ctx, func(ctx context.Context) {
		note := fmt.Sprintf("👋 Nudged %s about %s.", slackui.MentionUser(to), what)
		if _, _, err := b.api.PostMessageContext(ctx, to, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)); err != nil {
			b.cfg.Log.Warn("team nudge", "owner", to, "err", err)
			note = fmt.Sprintf("⚠️ I couldn't reach %s about %s just now (%s).", slackui.MentionUser(to), what, cmp.Or(slackErrorCode(err), "Slack did not answer"))
		}
		b.publishTeam(ctx, team, lead, note)
	})
	return nil
}

// teamReassign gives a row's promise or customer to the user the lead
// picked: a lead may hand work over, as the digest's reader who sees it
// slip. A wait follows its customer.
func (b *Bot) teamReassign(ctx context.Context, op, team, lead string, row slackui.TeamRow, to string) error {
	if to == "" {
		return nil
	}
	var note string
	switch row.Kind {
	case 'p':
		fn, err := b.reassign(ctx, team, lead, to)
		if err != nil {
			return err
		}
		var p store.Promise
		err = b.store.Update(op, func(tx store.Tx) (err error) {
			p, err = tx.UpdatePromise(team, row.ID, func(p *store.Promise) error { return modelRefusal(fn(p)) })
			return err
		})
		if errors.Is(err, store.ErrDuplicate) {
			p, err = b.store.Promise(team, row.ID)
		}
		if err != nil {
			return b.lookupError(err, row.ID)
		}
		note = fmt.Sprintf("🔁 #%d now belongs to %s.", p.ID, slackui.Person(p.Owner, lead))
		b.later(ctx, func(ctx context.Context) {
			b.tellNewOwner(ctx, p, lead)
			b.refreshHome(ctx, team, p.Owner)
		})
	case 'c':
		if err := b.ownerOK(ctx, team, to); err != nil {
			return err
		}
		var before string
		// updateCustomer: the new owner is told, with the change, as by
		// `/customer edit … owner`.
		c, err := b.updateCustomer(op, team, row.Key, lead, b.cfg.Now(), func(c *store.Customer) error {
			before = c.Owner
			if c.Owner == to {
				return invalid(fmt.Sprintf("*%s* already belongs to %s.", slackui.Escape(c.Name), slackui.Person(to, lead)))
			}
			c.Owner = to
			return nil
		})
		switch {
		case errors.Is(err, store.ErrNotFound):
			return notFound("That customer has been removed; nothing to reassign.")
		case err != nil && !errors.Is(err, store.ErrDuplicate):
			return fmt.Errorf("inbound: team reassign: %w", err)
		}
		note = fmt.Sprintf("🔁 *%s* now belongs to %s.", slackui.Escape(c.Name), slackui.Person(c.Owner, lead))
		b.later(ctx, func(ctx context.Context) {
			b.refreshHome(ctx, team, c.Owner)
			if before != "" && before != c.Owner {
				b.refreshHome(ctx, team, before)
			}
		})
	default:
		return nil
	}
	b.later(ctx, func(ctx context.Context) { b.publishTeam(ctx, team, lead, note) })
	return nil
}

// openCustomerCard opens a customer's card in a modal over the team view.
func (b *Bot) openCustomerCard(ctx context.Context, cb slack.InteractionCallback, key string) error {
	card, err := b.showCustomer(ctx, cb.Team.ID, cb.User.ID, key)
	if err != nil {
		return err
	}
	msg, _ := card.(map[string]any)
	blocks, _ := msg["blocks"].([]slack.Block)
	c, err := b.store.Customer(cb.Team.ID, key)
	if err != nil {
		return notFound("That customer has been removed.")
	}
	view := slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  slackui.Plain(slackui.FitPlain(c.Name, 24)),
		Close:  slackui.Plain("Close"),
		Blocks: slack.Blocks{BlockSet: slackui.Bound(blocks, slackui.MaxViewBlocks, "")},
	}
	b.later(ctx, func(ctx context.Context) {
		if _, err := b.api.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
			b.cfg.Log.Error("open customer card", "err", err)
		}
	})
	return nil
}
