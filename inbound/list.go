package inbound

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// `/promise list [mine | by me | @someone] [overdue] [CUSTOMER]`, a page at
// a time, with a button for the next page.

// parseListQuery reads the words after `/promise list`.
func parseListQuery(args, caller string) (slackui.ListQuery, error) {
	q := slackui.ListQuery{Owner: caller}
	words := strings.Fields(args)
	var customer []string
	mine, named := false, false
	for i := 0; i < len(words); i++ {
		w := strings.ToLower(words[i])
		switch {
		case w == "mine":
			q.Owner, mine = caller, true
		case w == "overdue" || w == "late":
			q.Overdue = true
		case w == "by" && i+1 < len(words) && strings.EqualFold(words[i+1], "me"):
			q.ByMe, q.Owner = true, ""
			i++
		case mention.MatchString(words[i]):
			m := mention.FindStringSubmatch(words[i])
			if len(m[0]) != len(words[i]) || named {
				return q, invalid("Name one person with an @-mention, as in `/promise list @ann`.")
			}
			q.Owner, named = m[1], true
		default:
			customer = append(customer, words[i])
		}
	}
	if len(customer) > 0 {
		q.Customer = strings.Join(customer, " ")
		if q.Owner == caller && !mine {
			q.Owner = "" // a customer's promises, whoever owns them
		}
		if err := checkName(q.Customer, "`/promise list Acme`"); err != nil {
			return q, err
		}
	}
	return q, nil
}

// listPromises is `/promise list …`.
func (b *Bot) listPromises(c call) (any, error) {
	q, err := parseListQuery(c.args, c.cmd.UserID)
	if err != nil {
		return nil, err
	}
	fallback, blocks, err := b.listPage(c.ctx, c.cmd.TeamID, c.cmd.UserID, slackui.ListCursor{Query: q})
	if err != nil {
		return nil, err
	}
	if q.Customer != "" && fallback == slackui.NothingOpen {
		// Nothing names it: a word list does not take ("list pending"),
		// or a customer Kept does not know, is said so, not shown as an
		// empty list.
		// A promise that names it, outside the other filters ("list
		// initech overdue" with none overdue), makes it a name: the empty
		// list is the answer then.
		_, err := b.store.Customer(c.cmd.TeamID, q.Customer)
		if errors.Is(err, store.ErrNotFound) && !b.namedByOpenPromise(c.ctx, c.cmd.TeamID, c.cmd.UserID, q.Customer, q) {
			if at := atName(q.Customer); at != "" {
				// Slack makes a mention of a member's @name, and no customer is called so: this is nobody's.
				return nil, notFound(fmt.Sprintf("I can't find a Slack user %s in this workspace. Pick the person from Slack's @ menu, as in `/promise list @ann`.", slackui.Escape(at)))
			}
			return nil, notFound(fmt.Sprintf("No open promise names *%s*, and I know no customer of that name. `/promise list` takes `overdue`, `by me`, `@someone` or a customer's name, as in `/promise list Acme overdue`.", slackui.Escape(q.Customer)))
		}
	}
	return ephemeral(fallback, blocks...), nil
}

// atName is the first word of name that is an @name ("@nope"), or "".
func atName(name string) string {
	for _, w := range strings.Fields(name) {
		if len(w) > 1 && w[0] == '@' {
			return w
		}
	}
	return ""
}

// namedByOpenPromise says whether an open promise names customer when
// q's filters other than the customer are dropped (q itself found none).
func (b *Bot) namedByOpenPromise(ctx context.Context, team, caller, customer string, q slackui.ListQuery) bool {
	if q == (slackui.ListQuery{Customer: customer}) {
		return false
	}
	fallback, _, err := b.listPage(ctx, team, caller, slackui.ListCursor{Query: slackui.ListQuery{Customer: customer}})
	return err == nil && fallback != slackui.NothingOpen
}

// listPage renders the page of promises cur points at.
func (b *Bot) listPage(ctx context.Context, team, caller string, cur slackui.ListCursor) (string, []slack.Block, error) {
	q, now := cur.Query, b.cfg.Now()
	if q.Customer != "" {
		// The stored spelling, when it is a known customer.
		if known, err := b.store.Customer(team, q.Customer); err == nil {
			q.Customer = known.Name
		}
	}
	all, err := b.store.Promises(team, q.Owner, store.Open)
	if err != nil {
		return "", nil, fmt.Errorf("inbound: list promises: %w", err)
	}
	key := store.CustomerKey(q.Customer)
	ps := slices.DeleteFunc(all, func(p store.Promise) bool {
		return (q.ByMe && (p.Creator != caller || p.Owner == caller)) ||
			(q.Customer != "" && store.CustomerKey(p.Customer) != key) ||
			(q.Overdue && !p.Due.Before(now))
	})
	// Soonest due first: the overdue ones lead.
	slices.SortStableFunc(ps, func(a, b store.Promise) int { return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID)) })
	if len(ps) > 0 && q.Customer != "" {
		q.Customer = ps[0].Customer // as the promises spell it
	}
	page := slackui.ListPage{Title: slackui.ListTitle(q, caller), Empty: slackui.ListEmpty(q, caller), Total: len(ps), Offset: min(cur.Offset, len(ps))}
	loc := b.zoneOr(ctx, caller)
	end := slackui.ListPageEnd(ps, page.Offset, page.Title, loc, now)
	page.Shown = ps[page.Offset:end]
	if end < len(ps) {
		page.More = slackui.ListCursor{Query: cur.Query, Offset: end}.String()
	}
	fallback, blocks := slackui.PromiseList(page, loc, now)
	return fallback, blocks, nil
}

// nextPage is the list's "Next page" button: the message is replaced with
// the next page, through the click's response_url (the list is ephemeral,
// which chat.update cannot change).
func (b *Bot) nextPage(k click) error {
	cur, ok := slackui.ParseListCursor(k.a.Value)
	if !ok {
		b.cfg.Log.Warn("list page with a bad value", "value", k.a.Value)
		return errDamagedButton
	}
	fallback, blocks, err := b.listPage(k.ctx, k.cb.Team.ID, k.cb.User.ID, cur)
	if err != nil {
		return err
	}
	b.later(k.ctx, func(ctx context.Context) {
		msg := &slack.WebhookMessage{Text: fallback, ReplaceOriginal: true, ResponseType: "ephemeral", Blocks: &slack.Blocks{BlockSet: blocks}}
		if err := postResponse(ctx, k.cb.ResponseURL, msg); err != nil {
			b.cfg.Log.Error("list: next page", "err", err)
		}
	})
	return nil
}
