package inbound

import (
	"context"
	"fmt"
	"sync"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/slackui"
)

// historyReader is what rewriting one row of a gathered check-in message
// needs of the Web API; *slack.Client has it.
type historyReader interface {
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
}

// updateCheckinRow rewrites the row origin.Row of an owner's gathered
// check-in message to say note, leaving every other row as it is now.
// The message is read afresh from Slack, one rewrite of it at a time, so
// that two clicks on two rows in quick succession both show; other
// messages' rewrites do not wait.
func (b *Bot) updateCheckinRow(ctx context.Context, origin touchOrigin, note string) {
	defer b.rows.lock(origin.Channel + "|" + origin.TS)()
	m, err := b.message(ctx, origin.Channel, origin.TS)
	if err != nil {
		b.cfg.Log.Error("update check-in row: read the message", "channel", origin.Channel, "err", err)
		return
	}
	blocks, ok := slackui.CheckinRowDone(m.Blocks.BlockSet, origin.Row, note)
	if !ok {
		b.cfg.Log.Warn("update check-in row: the message has no such row", "channel", origin.Channel, "nudge", origin.Row)
		return
	}
	if _, _, _, err := b.api.UpdateMessageContext(ctx, origin.Channel, origin.TS, slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		b.cfg.Log.Error("update check-in row", "channel", origin.Channel, "err", err)
	}
}

// message reads the message ts of channel as Slack holds it now.
func (b *Bot) message(ctx context.Context, channel, ts string) (slack.Message, error) {
	h, ok := b.api.(historyReader)
	if !ok {
		return slack.Message{}, fmt.Errorf("inbound: this Slack client cannot read conversation history")
	}
	res, err := h.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: channel, Latest: ts, Oldest: ts, Inclusive: true, Limit: 1})
	if err != nil {
		return slack.Message{}, fmt.Errorf("inbound: read message %s: %w", ts, err)
	}
	for _, m := range res.Messages {
		if m.Timestamp == ts {
			return m, nil
		}
	}
	return slack.Message{}, fmt.Errorf("inbound: message %s not found in %s", ts, channel)
}

// messageLocks are mutexes by message (channel|ts), each kept only while
// someone holds or waits for it.
type messageLocks struct {
	mu   sync.Mutex
	held map[string]*messageLock
}

type messageLock struct {
	sync.Mutex
	users int
}

// lock takes the lock of key and returns its unlock.
func (l *messageLocks) lock(key string) (unlock func()) {
	l.mu.Lock()
	if l.held == nil {
		l.held = map[string]*messageLock{}
	}
	m := l.held[key]
	if m == nil {
		m = &messageLock{}
		l.held[key] = m
	}
	m.users++
	l.mu.Unlock()
	m.Lock()
	return func() {
		m.Unlock()
		l.mu.Lock()
		if m.users--; m.users == 0 {
			delete(l.held, key)
		}
		l.mu.Unlock()
	}
}
