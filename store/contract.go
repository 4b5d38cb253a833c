package store

import (
	"io"
	"time"

	"github.com/keptbot/kept/model"
)

// Store is the storage contract: what Kept needs of a database, and all a
// second backend must provide. It is one required interface, checked by
// the compiler (var _ Store = ...) and by the black-box suite in
// store/storetest, which any backend must pass. The rules of a promise's
// and a customer's life are the model package's; a backend remembers what
// model transitions decide, indexes it, and keeps the outbox's states.
//
// Conventions every method keeps:
//   - op is an idempotency key (a Socket Mode envelope id, or "" for
//     none). A command whose op was already applied changes nothing and
//     returns the record as it is now with ErrDuplicate, so the caller can
//     repeat its reply. An op is recorded in the same transaction as the
//     writes it stands for.
//   - A missing record is an error wrapping ErrNotFound; a name taken,
//     ErrExists; a record the model refuses, a *model.ValidationError.
//   - Functions passed to UpdatePromise, UpdateCustomer and Update may run
//     more than once (group commit): they must derive everything from what
//     they are given and reset whatever they capture.
//   - Times are stored in UTC.
//   - A record that cannot be decoded (a poison record) never stops the
//     work of other records: claims, the outbox and listings skip it and
//     count it (Admin.Undecodable).
type Store interface {
	// View runs fn in a read-only transaction: every read in it sees the
	// same snapshot.
	View(fn func(ReadTx) error) error
	// Update runs fn in one read-write transaction, a unit of work: all
	// its writes and op commit together or not at all. If op was already
	// applied, fn is not called and Update returns ErrDuplicate. If fn
	// returns an error, nothing of it is written and Update returns it.
	Update(op string, fn func(Tx) error) error

	Promises
	Customers
	Outbox
	Schedule

	// Applied reports whether op was already applied.
	Applied(op string) (bool, error)
	// MarkApplied records op for a command that changes nothing else; it
	// returns ErrDuplicate if op was already recorded.
	MarkApplied(op string) error

	// Export reads every team's records in one read transaction.
	Export() (Dump, error)
	// Import writes d in one transaction, all or nothing (see Import in
	// transfer.go for the matching rules); every record passes the model's
	// validation first.
	Import(d Dump, dryRun bool) (ImportReport, error)

	Close() error
}

// Promises is the promise half of the contract.
type Promises interface {
	// AddPromise validates p with model.NewPromise and stores it under
	// the team's next id. An op already applied returns the promise it
	// added and ErrDuplicate.
	AddPromise(op string, p model.Promise) (model.Promise, error)
	// UpdatePromise loads team/id, calls fn on a copy (a model transition)
	// and saves the result with its index, atomically. If fn fails
	// nothing is saved and its error is returned. Team and ID cannot
	// change.
	UpdatePromise(op, team string, id int64, fn func(*model.Promise) error) (model.Promise, error)
	// Promise returns one promise.
	Promise(team string, id int64) (model.Promise, error)
	// Promises lists a team's promises of owner ("" any) in state ("" any),
	// sorted by Due then ID. With an owner, its cost follows that owner's
	// promises, not the team's (an owner index).
	Promises(team, owner string, state model.PromiseState) ([]model.Promise, error)
	// PromisesFor lists the open promises naming customer (matched by
	// model.CustomerKey), by Due then ID, from a customer index.
	PromisesFor(team, customer string) ([]model.Promise, error)
	// DuePromises returns what the digest reports: team's promises late
	// at lateAt (open, promised before it) or promised in [from, to) in
	// any state but cancelled, by Due then ID, with the fields the digest
	// reads and no other (DigestFields): Team, ID, Owner, Customer, Text,
	// Due, MovedFrom, State, OnTime and Escalated. The bbolt store reads
	// them from its state index, not from the records.
	DuePromises(team string, from, to, lateAt time.Time) ([]model.Promise, error)
}

// Customers is the customer half of the contract.
type Customers interface {
	// AddCustomer validates c with model.NewCustomer and stores it;
	// ErrExists if its key is taken in the team.
	AddCustomer(op string, c model.Customer) (model.Customer, error)
	// Customer returns the customer whose key matches name.
	Customer(team, name string) (model.Customer, error)
	// Customers lists the team's customers by key.
	Customers(team string) ([]model.Customer, error)
	// UpdateCustomer loads the customer matching name, calls fn on a copy
	// and saves the result (re-indexing NextPrompt) atomically. fn may
	// respell Name but not change its key, nor Team or Created.
	UpdateCustomer(op, team, name string, fn func(*model.Customer) error) (model.Customer, error)
	// RemoveCustomer deletes the customer, its touches and its prompt.
	RemoveCustomer(op, team, name string) error
	// AddTouch validates t with model.NewTouch, stores it and applies it
	// to its customer (model.Customer.Touch), in one transaction; it
	// returns the customer as updated.
	AddTouch(op string, t model.Touch) (model.Customer, error)
	// Touches returns up to limit (<= 0: all) of a customer's touches,
	// newest first, reading only that customer's.
	Touches(team, customer string, limit int) ([]model.Touch, error)
	// TouchesBetween returns team's touches with from <= At < to, oldest
	// first, reading only that span.
	TouchesBetween(team string, from, to time.Time) ([]model.Touch, error)
}

// Outbox is what the scheduler needs: claiming due work into the outbox
// and taking each nudge through its states exactly once.
//
//	due -> sending -> sent | failed | dropped
//	sending -> due (retry, defer)
type Outbox interface {
	// ClaimDue queues, in one transaction, the nudges due at now by
	// model.Promise.NextAction under pol: it reads the due index only up
	// to now, at most limit entries (<= 0: no bound), claims each
	// (model.Promise.Claim, which may make several nudges: an escalation)
	// and re-indexes it. Only pol.OverdueAfter is remembered for the
	// re-index of later commands; an escalation's time is on its promise.
	// Called again with the same now it queues nothing; concurrent calls
	// never queue a nudge twice.
	ClaimDue(now time.Time, pol model.Policy, limit int) ([]model.Nudge, error)
	// ClaimCheckins queues the keep-in-touch prompts due at now
	// (model.Customer.ClaimCheckin), at most one pending per customer.
	ClaimCheckins(now time.Time, limit int) ([]model.Nudge, error)
	// ClaimDates queues the prompts of customer dates due at now under
	// pol (model.Customer.ClaimDates): it reads the renewal index up to
	// now plus pol.Ahead() and the anniversary index up to now, at most
	// limit entries (<= 0: no bound), and re-indexes each customer it
	// claims for. Each occurrence is queued once: called again, or
	// concurrently, it queues nothing more.
	ClaimDates(now time.Time, pol model.DatePolicy, limit int) ([]model.Nudge, error)
	// AddNudge queues n: it assigns ID and Created, State NudgeDue if
	// empty and NotBefore now if zero.
	AddNudge(n model.Nudge) (model.Nudge, error)
	// Nudge returns one nudge.
	Nudge(id int64) (model.Nudge, error)
	// Nudges lists every nudge of kind ("" any) in ID order; for tests
	// and admin tools.
	Nudges(kind model.NudgeKind) ([]model.Nudge, error)
	// PendingNudges returns up to limit (<= 0: all) due or sending nudges
	// with NotBefore <= now, oldest NotBefore first, reading the outbox
	// index only up to now.
	PendingNudges(now time.Time, limit int) ([]model.Nudge, error)
	// NextNudgeAfter is the earliest NotBefore in the outbox after t, if
	// any: one seek, so the scheduler can wake for it.
	NextNudgeAfter(t time.Time) (time.Time, bool, error)
	// MarkSending counts a delivery attempt; the nudge stays in the outbox
	// until it is settled. ErrNotPending if it is no longer pending.
	MarkSending(id int64) (model.Nudge, error)
	// Recheck compares a pending nudge with the record it was claimed for
	// as that is now (model.RecheckPromise, model.RecheckCheckin,
	// model.RecheckDate): a stale
	// nudge is dropped (NudgeDropped, out of the outbox, the reason in
	// Error) or re-addressed to the record's new owner, in one
	// transaction. It returns the nudge as it now is.
	Recheck(id int64, now time.Time) (model.Nudge, error)
	// MarkSent records where the nudge landed and takes it out of the
	// outbox, even if it was given up on meanwhile: that is what happened.
	MarkSent(id int64, channel, ts string) error
	// RetryNudge puts the nudge back at notBefore; the attempt counts.
	RetryNudge(id int64, notBefore time.Time, errText string) error
	// DeferNudge puts it back at notBefore and takes back the attempt
	// MarkSending counted: Slack refused before reading (a 429), or the
	// nudge waits for working hours.
	DeferNudge(id int64, notBefore time.Time, errText string) error
	// FailNudge gives up on the nudge and takes it out of the outbox.
	FailNudge(id int64, errText string) error
}

// Schedule is what the digest job keeps: when each job last ran and which
// channels asked for the digest.
type Schedule interface {
	LastRun(name string) (time.Time, error)
	SetLastRun(name string, t time.Time) error
	// QueueRun records that job name ran at at and queues its nudges in
	// one transaction, a compare-and-set on the last run (ErrRunMoved). A
	// nudge whose Kind, Team and To match a pending one is not queued.
	QueueRun(name string, prev, at time.Time, nudges []model.Nudge) ([]model.Nudge, error)
	Subscribe(team, channel string, scope model.Scope) error
	Unsubscribe(team, channel string) error
	// Subscriptions lists team's digest channels; "" lists every team's.
	Subscriptions(team string) ([]model.Subscription, error)
}

// Channels is what the listener keeps of customer channels (issue 15):
// which channel belongs to which customer, when each customer was last
// heard from, the messages waiting on us, and who turned promise
// suggestions off. storetest holds both backends to it.
type Channels interface {
	// LinkChannel links channel to the customer matching customer: the
	// same customer again changes nothing, another one that still exists
	// is refused with ErrExists naming it, an unknown customer is
	// ErrNotFound.
	LinkChannel(team, channel, customer, by string) (ChannelLink, error)
	// UnlinkChannel removes channel's link; ErrNotFound if it had none.
	UnlinkChannel(team, channel string) (ChannelLink, error)
	// ChannelCustomer is the customer channel is linked to as it is now;
	// ErrNotFound if none, or if that customer was removed.
	ChannelCustomer(team, channel string) (model.Customer, error)
	// CustomerChannels lists the customer's channels in id order.
	CustomerChannels(team, customer string) ([]string, error)
	// SetHeard records the customer's latest message, unless a later
	// one is recorded.
	SetHeard(team, customer string, h Heard) error
	// LastHeard is the customer's latest message; zero if none.
	LastHeard(team, customer string) (Heard, error)
	// TeamHeard is every customer's latest message in team, by customer
	// key, in one read.
	TeamHeard(team string) (map[string]Heard, error)
	// OpenWait records w unless one is open for its channel and thread
	// (ErrWaiting), and queues n, if it has a Kind, as its DM, in one
	// transaction; it returns w as stored, with NudgeID.
	OpenWait(w Wait, n model.Nudge) (Wait, error)
	// Wait is the open wait for channel and thread; ErrNotFound if none.
	Wait(team, channel, thread string) (Wait, error)
	// CloseWait ends the open wait for channel and thread and returns
	// it; ErrNotFound if none. With ts set it ends the wait only if ts
	// started it: one a newer message started is left open and returned
	// with ErrOtherWait, in the same transaction as the read, so a click
	// on an old DM never closes the wait of a message it did not show.
	CloseWait(team, channel, thread, ts string) (Wait, error)
	// WaitSent records where the DM of nudge nudgeID about the wait for
	// channel and thread landed; ErrNotFound if that wait is no longer
	// open (the caller then withdraws the DM). Ordered with CloseWait, so
	// a DM crossing our side's reply is seen by one side or the other.
	WaitSent(team, channel, thread string, nudgeID int64, dmChannel, dmTS string) error
	// CustomerWaits lists the customer's open waits, oldest first.
	CustomerWaits(team, customer string) ([]Wait, error)
	// TeamWaits lists the team's open waits, oldest first.
	TeamWaits(team string) ([]Wait, error)
	// SetSuggestions turns promise suggestions on or off for user.
	SetSuggestions(team, user string, on bool) error
	// SuggestionsOff reports whether user turned them off.
	SuggestionsOff(team, user string) (bool, error)
}

// Pauses keeps the workspace-wide Retry-After Slack last gave, so that it
// holds for whichever process delivers next: another replica that took
// over, or this one after a restart.
type Pauses interface {
	// SharePause records a pause until then; a pause only ever grows.
	SharePause(until time.Time) error
	// SharedPause is the latest pause recorded, zero if none.
	SharedPause() (time.Time, error)
}

// ReadTx is what a lookup reads, in one snapshot.
type ReadTx interface {
	Promise(team string, id int64) (model.Promise, error)
	Customer(team, name string) (model.Customer, error)
	Touches(team, customer string, limit int) ([]model.Touch, error)
	Nudge(id int64) (model.Nudge, error)
}

// Tx is a unit of work: the writes one envelope makes, committed together
// (a kept promise and the touch it logs for its customer).
type Tx interface {
	ReadTx
	// AddPromise is Store.AddPromise inside the unit of work; the op of
	// the Update remembers the promise, for a duplicate's reply.
	AddPromise(p model.Promise) (model.Promise, error)
	UpdatePromise(team string, id int64, fn func(*model.Promise) error) (model.Promise, error)
	UpdateCustomer(team, name string, fn func(*model.Customer) error) (model.Customer, error)
	AddTouch(t model.Touch) (model.Customer, error)
	// AddNudge is Outbox.AddNudge inside the unit of work: a message owed
	// because of its change (a creator told of it, a follow-up offered
	// with the touch that calls for it) commits with it.
	AddNudge(n model.Nudge) (model.Nudge, error)
}

// Admin is what an operator's tools need, apart from the daemon's work:
// health, integrity and a consistent copy.
type Admin interface {
	// Ping reports whether the database is open and readable, cheaply.
	Ping() error
	// Check verifies the database's integrity.
	Check() error
	// Backup writes a consistent copy of the live database to w.
	Backup(w io.Writer) (int64, error)
	// Backlog counts the work due at now and not done, reading each index
	// only up to now.
	Backlog(now time.Time) (int, error)
	// Undecodable counts the records skipped since open because they could
	// not be decoded.
	Undecodable() int64
}
