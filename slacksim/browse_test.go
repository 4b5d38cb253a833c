package slacksim

import (
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestWorkspaceAccessors(t *testing.T) {
	s, _ := newSim(t, Options{})
	users := s.Users()
	if len(users) != 3 || users[0].ID != "U0KEPTBOT" || users[1].ID != "U1" || !users[0].IsBot {
		t.Errorf("Users() = %+v", users)
	}
	chans := s.Channels()
	if len(chans) != 2 || chans[0].Name != "general" || chans[1].Name != "random" {
		t.Fatalf("Channels() = %+v", chans)
	}
	chans[0].Members[0] = "changed"
	if s.Channels()[0].Members[0] != "U1" {
		t.Error("Channels() hands out the simulator's own member lists")
	}
	if s.BotUserID() != "U0KEPTBOT" {
		t.Errorf("BotUserID() = %q", s.BotUserID())
	}
	changed := s.Changed()
	select {
	case <-changed:
		t.Fatal("Changed() is closed before anything changed")
	default:
	}
	s.PostAs("U1", "C1", "hello")
	select {
	case <-changed:
	default:
		t.Error("Changed() was not closed by a new message")
	}
}

// TestOpenModalAndClose: the modal a person sees, the Home tab published for
// them, and closing: Close shows the view under it again, × clears the
// stack, and only a view that asked for it sends view_closed.
func TestOpenModalAndClose(t *testing.T) {
	s, _ := newSim(t, Options{})
	triggers := make(chan string, 4)
	closed := make(chan slack.InteractionCallback, 4)
	api := startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		switch d := evt.Data.(type) {
		case slack.SlashCommand:
			triggers <- d.TriggerID
		case slack.InteractionCallback:
			if d.Type == slack.InteractionTypeViewClosed {
				closed <- d
			}
		}
		ack(sm, evt)
	})
	ctx := ctxT(t)
	open := func(notify bool) slack.View {
		t.Helper()
		if _, err := s.SlashCommand(ctx, "U1", "C1", "/kept", ""); err != nil {
			t.Fatal(err)
		}
		m := modal()
		m.NotifyOnClose = notify
		v, err := api.OpenViewContext(ctx, <-triggers, m)
		if err != nil {
			t.Fatal(err)
		}
		return v.View
	}
	if _, ok := s.OpenModal("U1"); ok {
		t.Fatal("a modal is open before any was opened")
	}
	first := open(false)
	if v, ok := s.OpenModal("U1"); !ok || v.ID != first.ID || v.Kind != "modal" || v.View.CallbackID != "new" {
		t.Fatalf("OpenModal = %+v, %v", v, ok)
	}
	if _, ok := s.OpenModal("U2"); ok {
		t.Error("U2 sees U1's modal")
	}
	if err := s.CloseView(ctx, "U2", first.ID, false); err == nil {
		t.Error("U2 closed U1's modal")
	}
	if err := s.CloseView(ctx, "U1", first.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.OpenModal("U1"); ok {
		t.Error("the modal is still open after Close")
	}
	if err := s.CloseView(ctx, "U1", first.ID, false); err == nil {
		t.Error("a closed modal closed again")
	}
	select {
	case cb := <-closed:
		t.Errorf("view_closed sent for a view without notify_on_close: %+v", cb.View.ID)
	default:
	}

	second := open(true)
	if err := s.CloseView(ctx, "U1", second.ID, true); err != nil {
		t.Fatal(err)
	}
	select {
	case cb := <-closed:
		if cb.View.ID != second.ID || !cb.IsCleared || cb.User.ID != "U1" {
			t.Errorf("view_closed = view %s, cleared %v, user %s", cb.View.ID, cb.IsCleared, cb.User.ID)
		}
	default:
		t.Error("no view_closed for a view with notify_on_close")
	}

	if _, ok := s.HomeView("U1"); ok {
		t.Fatal("a Home tab before any was published")
	}
	if _, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1",
		View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, CallbackID: "home", Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}}); err != nil {
		t.Fatal(err)
	}
	if v, ok := s.HomeView("U1"); !ok || v.Kind != "home" || v.View.CallbackID != "home" {
		t.Errorf("HomeView = %+v, %v", v, ok)
	}
}
