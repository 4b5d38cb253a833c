package daemon_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// Customer channels from /customer add|edit … channel and from the
// customer form (issue 15): Kept must be in the channel, a channel belongs
// to one customer, and a refusal changes nothing.

const (
	kept    = "U0KEPTBOT"
	support = "C0SUPPORT" // Kept is not in it
	globexC = "C0GLOBEX"  // Globex's
)

func channelsOf(e *env, customer string) []string {
	e.t.Helper()
	chs, err := e.d.Store.CustomerChannels(team, customer)
	if err != nil {
		e.t.Fatal(err)
	}
	return chs
}

// withChannels adds Acme (Ann's, every 14 days) and Globex, and the
// channels: acme-shared and globex with Kept in them, support without.
func withChannels(t *testing.T) *env {
	e := start(t)
	e.sim.AddChannel(slacksim.Channel{ID: shared, Name: "acme-shared", Members: []string{ann, bob, kept}, Shared: true})
	e.sim.AddChannel(slacksim.Channel{ID: support, Name: "acme-support", Members: []string{ann, bob}})
	e.sim.AddChannel(slacksim.Channel{ID: globexC, Name: "globex", Members: []string{ann, kept}})
	e.cmd(ann, "/customer", "add Acme every 14d")
	e.cmd(ann, "/customer", "add Globex")
	if r := e.cmd(ann, "/customer", "link Globex #globex"); !strings.Contains(r.Text, "Linked") {
		t.Fatalf("link Globex: %q", r.Text)
	}
	return e
}

func TestCustomerEditChannel(t *testing.T) {
	e := withChannels(t)
	r := e.cmd(ann, "/customer", "edit Acme channel #acme-shared")
	if got := replyText(r); !strings.Contains(got, "Updated *Acme*") || !strings.Contains(got, "Channels: <#"+shared+">") || r.ResponseType != "ephemeral" {
		t.Errorf("edit … channel = %q", got)
	}
	if chs := channelsOf(e, "Acme"); len(chs) != 1 || chs[0] != shared {
		t.Errorf("Acme's channels = %v", chs)
	}
	// Refused, and nothing else of the command is saved either.
	for _, tt := range []struct{ user, text, want string }{
		{ann, "edit Acme every 30d channel #acme-support", "I'm not in <#" + support + "> yet"},
		{ann, "edit Acme every 30d channel #globex", "<#" + globexC + "> already belongs to *Globex*"},
		{bob, "edit Acme every 30d channel #acme-shared", "Only <@" + ann + ">, who owns *Acme*"},
		{ann, "edit Acme channel acme-shared", "Name the channel with a #"},
	} {
		if got := replyText(e.cmd(tt.user, "/customer", tt.text)); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.text, got, tt.want)
		}
	}
	if c := e.customer("Acme"); c.Cadence != 14*24*time.Hour {
		t.Errorf("a refused edit changed the cadence to %v", c.Cadence)
	}
	if chs := channelsOf(e, "Globex"); len(chs) != 1 || chs[0] != globexC {
		t.Errorf("Globex's channels = %v", chs)
	}
	// add … channel links it at once; refused, the customer is not added.
	if got := replyText(e.cmd(ann, "/customer", "add Hooli channel #acme-support")); !strings.Contains(got, "/invite @Kept") {
		t.Errorf("add with a channel Kept is not in: %q", got)
	}
	if _, err := e.d.Store.Customer(team, "Hooli"); err == nil {
		t.Errorf("Hooli was added although its channel was refused")
	}
	if err := e.sim.Join(e.ctx(), support, kept, ann); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if got := replyText(e.cmd(ann, "/customer", "add Hooli channel #acme-support")); !strings.Contains(got, "Added *Hooli*") || !strings.Contains(got, "<#"+support+">") {
		t.Errorf("add Hooli channel: %q", got)
	}
	if chs := channelsOf(e, "Hooli"); len(chs) != 1 || chs[0] != support {
		t.Errorf("Hooli's channels = %v", chs)
	}
	// What our side writes there now counts for Acme.
	if _, err := e.sim.Say(e.ctx(), ann, shared, "Morning Cara!"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if ts, _ := e.d.Store.Touches(team, "Acme", 0); len(ts) != 1 || ts[0].Kind != "message" {
		t.Errorf("touches = %+v", ts)
	}
}

// formInput is what someone picks in the customer form.
func formInput(name, owner, tier, cadence, notes string, channels ...string) map[string]map[string]slack.BlockAction {
	in := map[string]map[string]slack.BlockAction{
		"owner":    {"value": {Type: "users_select", SelectedUser: owner}},
		"tier":     {"value": {Type: "static_select", SelectedOption: slack.OptionBlockObject{Value: tier}}},
		"cadence":  {"value": {Type: "plain_text_input", Value: cadence}},
		"channels": {"value": {Type: "multi_conversations_select", SelectedConversations: channels}},
		"notes":    {"value": {Type: "plain_text_input", Value: notes}},
	}
	if name != "" {
		in["name"] = map[string]slack.BlockAction{"value": {Type: "plain_text_input", Value: name}}
	}
	return in
}

func TestCustomerForm(t *testing.T) {
	e := withChannels(t)
	e.cmd(ann, "/customer", "link Acme #acme-shared")

	// /customer edit Acme alone: the form, filled, its channel picked.
	if r := e.cmd(ann, "/customer", "edit Acme"); r.Text != "" {
		t.Errorf("edit Acme answered %q besides the form", r.Text)
	}
	form := e.lastView(ann, "open")
	raw := string(form.JSON)
	for _, want := range []string{`"callback_id":"customer_form"`, `"initial_conversations":["` + shared + `"]`, `"initial_value":"every 14 days"`, `"initial_user":"` + ann + `"`, `"type":"multi_conversations_select"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("the form lacks %s: %s", want, raw)
		}
	}
	// Bad fields: each gets its error, and nothing is saved.
	r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, formInput("", bob, "key", "every blue moon", "", shared, support))
	if err != nil {
		t.Fatal(err)
	}
	if r.ResponseAction != "errors" || !strings.Contains(r.Errors["cadence"], "couldn't read") {
		t.Errorf("a bad cadence: %+v", r)
	}
	r, err = e.sim.SubmitView(e.ctx(), ann, form.ID, formInput("", bob, "key", "every 7d", "", shared, support))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Errors["channels"], "I'm not in #acme-support yet") || !strings.Contains(r.Errors["channels"], "/invite @Kept") {
		t.Errorf("a channel Kept is not in: %+v", r)
	}
	e.sim.AddUser(slacksim.User{ID: "U0ROBO", Name: "robo", IsBot: true})
	e.sim.AddUser(slacksim.User{ID: "U0GONE", Name: "gone", Deleted: true})
	for owner, want := range map[string]string{"U0ROBO": "That's a bot", "U0GONE": "not an active member"} {
		r, _ = e.sim.SubmitView(e.ctx(), ann, form.ID, formInput("", owner, "key", "every 7d", "", shared))
		if got := r.Errors["owner"]; !strings.Contains(got, want) || strings.Contains(got, "<") {
			t.Errorf("owner %s: the owner field's error %q, want plain text with %q", owner, got, want)
		}
	}
	r, _ = e.sim.SubmitView(e.ctx(), ann, form.ID, formInput("", bob, "key", "every 7d", "", globexC))
	if !strings.Contains(r.Errors["channels"], "#globex already belongs to Globex") {
		t.Errorf("another customer's channel: %+v", r)
	}
	if c := e.customer("Acme"); c.Owner != ann || c.Tier != store.StandardTier || c.Cadence != 14*24*time.Hour {
		t.Errorf("refused forms changed Acme: %+v", c)
	}
	if chs := channelsOf(e, "Acme"); len(chs) != 1 || chs[0] != shared {
		t.Errorf("refused forms changed Acme's channels: %v", chs)
	}

	// Kept is invited; the form goes through: Bob owns it, key, every
	// week, both channels.
	if err := e.sim.Join(e.ctx(), support, kept, ann); err != nil {
		t.Fatal(err)
	}
	e.settle()
	r, err = e.sim.SubmitView(e.ctx(), ann, form.ID, formInput("", bob, "key", "every 7d", "Renewal in March", shared, support))
	if err != nil || r.ResponseAction == "errors" {
		t.Fatalf("submit: %+v, %v", r, err)
	}
	e.settle()
	c := e.customer("Acme")
	if c.Owner != bob || c.Tier != store.KeyTier || c.Cadence != 7*24*time.Hour || c.Notes != "Renewal in March" {
		t.Errorf("after the form: %+v", c)
	}
	if chs := channelsOf(e, "Acme"); len(chs) != 2 {
		t.Errorf("Acme's channels = %v, want both", chs)
	}
	confirmed := false
	for _, m := range e.sim.Messages() {
		if m.Ephemeral && m.EphemeralTo == ann && m.ViaResponseURL && strings.Contains(m.Text, "Updated *Acme*: key, every 7 days, owned by <@"+bob+">") && strings.Contains(m.Text, "<#"+support+">") {
			confirmed = true
		}
	}
	if !confirmed {
		t.Errorf("no confirmation for Ann")
	}

	// Unpicking a channel in the form unlinks it.
	e.cmd(bob, "/customer", "edit Acme")
	form = e.lastView(bob, "open")
	if _, err := e.sim.SubmitView(e.ctx(), bob, form.ID, formInput("", bob, "key", "every 7d", "", support)); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if chs := channelsOf(e, "Acme"); len(chs) != 1 || chs[0] != support {
		t.Errorf("after unpicking acme-shared: %v", chs)
	}
	if _, err := e.d.Store.ChannelCustomer(team, shared); err == nil {
		t.Errorf("acme-shared is still linked")
	}

	// Ann no longer owns Acme: she may not open its form.
	if got := replyText(e.cmd(ann, "/customer", "edit Acme")); !strings.Contains(got, "Only <@"+bob+">, who owns *Acme*") {
		t.Errorf("a non-owner's edit: %q", got)
	}
}

func TestCustomerFormAdds(t *testing.T) {
	e := withChannels(t)
	if r := e.cmd(ann, "/customer", "add"); r.Text != "" {
		t.Errorf("add alone answered %q besides the form", r.Text)
	}
	form := e.lastView(ann, "open")
	if raw := string(form.JSON); !strings.Contains(raw, `"block_id":"name"`) || strings.Contains(raw, "initial_conversations") {
		t.Errorf("the new customer form: %s", raw)
	}
	r, _ := e.sim.SubmitView(e.ctx(), ann, form.ID, formInput("acme", ann, "standard", "", ""))
	if !strings.Contains(r.Errors["name"], "There is already a customer called Acme") {
		t.Errorf("a taken name: %+v", r)
	}
	r, _ = e.sim.SubmitView(e.ctx(), ann, form.ID, formInput("Initech", "", "standard", "", ""))
	if r.Errors["owner"] == "" {
		t.Errorf("no owner: %+v", r)
	}
	if _, err := e.d.Store.Customer(team, "Initech"); err == nil {
		t.Fatal("a refused form added Initech")
	}
	// No cadence: the tier's.
	r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, formInput("Initech", ann, "key", "", "", shared))
	if err != nil || r.ResponseAction == "errors" {
		t.Fatalf("submit: %+v, %v", r, err)
	}
	e.settle()
	c := e.customer("Initech")
	if c.Owner != ann || c.Tier != store.KeyTier || c.Cadence != 14*24*time.Hour {
		t.Errorf("Initech = %+v", c)
	}
	if chs := channelsOf(e, "Initech"); len(chs) != 1 || chs[0] != shared {
		t.Errorf("Initech's channels = %v", chs)
	}
}

// TestCustomerFormHandover: handing a customer over in the form tells its
// new owner, once, even when Slack delivers the submission twice, just as
// `/customer edit Acme owner @cid` does; keeping the owner tells nobody.
func TestCustomerFormHandover(t *testing.T) {
	e := withChannels(t)
	e.cmd(ann, "/touch", "Acme called about the renewal")
	e.cmd(ann, "/customer", "edit Acme")
	form := e.lastView(ann, "open")
	env, err := e.sim.SubmitViewEnvelope(ann, form.ID, formInput("", cid, "key", "every 14d", ""))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if r, err := e.sim.Deliver(e.ctx(), env); err != nil || r.ResponseAction == "errors" {
			t.Fatalf("submit: %+v, %v", r, err)
		}
	}
	e.settle()
	if c := e.customer("Acme"); c.Owner != cid {
		t.Fatalf("Acme's owner after the form = %s, want Cid", c.Owner)
	}
	// Cid keeps it, changing only the cadence: nobody else is told.
	e.cmd(cid, "/customer", "edit Acme")
	form = e.lastView(cid, "open")
	if r, err := e.sim.SubmitView(e.ctx(), cid, form.ID, formInput("", cid, "key", "every 7d", "")); err != nil || r.ResponseAction == "errors" {
		t.Fatalf("Cid's submit: %+v, %v", r, err)
	}
	e.settle()
	e.tick()
	e.advanceTo(e.clock.Now().Add(time.Hour))
	dms := e.dmsWith(cid, "handed *Acme* to you")
	if len(dms) != 1 {
		t.Fatalf("%d handover DMs to Cid, want 1", len(dms))
	}
	if got := blocksText(dms[0].Blocks); !strings.Contains(got, "🤝 <@U0ANN> handed *Acme* to you") || !strings.Contains(got, "called about the renewal") {
		t.Errorf("handover DM:\n%s", got)
	}
	if n := len(e.dmsWith(ann, "handed")); n != 0 {
		t.Errorf("Ann, who handed it over, got %d DMs about it", n)
	}
}

// A customer with more channels than the form's picker holds gets a form
// without the picker, and saving it leaves every channel linked: what the
// picker could not show would otherwise be unlinked.
func TestCustomerFormManyChannels(t *testing.T) {
	e := withChannels(t)
	var ids []string
	for i := range slackui.MaxFormChannels + 1 {
		id, name := fmt.Sprintf("C0MANY%02d", i), fmt.Sprintf("acme-%02d", i)
		e.sim.AddChannel(slacksim.Channel{ID: id, Name: name, Members: []string{ann, kept}})
		if r := e.cmd(ann, "/customer", "link Acme #"+name); !strings.Contains(r.Text, "Linked") {
			t.Fatalf("link Acme #%s: %q", name, r.Text)
		}
		ids = append(ids, id)
	}
	e.cmd(ann, "/customer", "edit Acme")
	form := e.lastView(ann, "open")
	raw := string(form.JSON)
	if strings.Contains(raw, "multi_conversations_select") || !strings.Contains(raw, "11 channels are linked to *Acme*") {
		t.Fatalf("the form of a customer with 11 channels: %s", raw)
	}
	in := formInput("", ann, "key", "every 7d", "renewal in March")
	delete(in, "channels")
	if r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, in); err != nil || len(r.Errors) > 0 {
		t.Fatalf("save: %+v, %v", r, err)
	}
	e.settle()
	if c := e.customer("Acme"); c.Cadence != 7*24*time.Hour || c.Notes != "renewal in March" {
		t.Errorf("the form's fields were not saved: %+v", c)
	}
	if chs := channelsOf(e, "Acme"); !slices.Equal(chs, ids) {
		t.Errorf("Acme's channels after the form: %v, want the %d it had", chs, len(ids))
	}
}

// A channel linked while the form is open (by /customer link, or another
// form) stays linked when the form is saved: Save unlinks only what its
// picker showed and was unpicked.
func TestCustomerFormKeepsChannelsLinkedMeanwhile(t *testing.T) {
	e := withChannels(t)
	e.cmd(ann, "/customer", "link Acme #acme-shared")
	e.sim.AddChannel(slacksim.Channel{ID: "C0LATER", Name: "acme-later", Members: []string{ann, kept}})
	e.cmd(ann, "/customer", "edit Acme")
	form := e.lastView(ann, "open")
	if r := e.cmd(ann, "/customer", "link Acme #acme-later"); !strings.Contains(r.Text, "Linked") {
		t.Fatalf("link meanwhile: %q", r.Text)
	}
	// Saved with #acme-shared unpicked: it goes, #acme-later stays.
	if r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, formInput("", ann, "standard", "every 14d", "")); err != nil || len(r.Errors) > 0 {
		t.Fatalf("save: %+v, %v", r, err)
	}
	e.settle()
	if chs := channelsOf(e, "Acme"); !slices.Equal(chs, []string{"C0LATER"}) {
		t.Errorf("Acme's channels after the form: %v, want only the one linked meanwhile", chs)
	}
}

// TestFormFieldsLeftOutKeepTheirValue: Slack sends every field of a form;
// a crafted or buggy submission that leaves some out changes nothing of
// them. The customer form without its notes and channels keeps Acme's
// notes and its channel; the edit form of a promise Bob recorded for Ann,
// without its owner and customer, does not make it Bob's or drop Acme.
func TestFormFieldsLeftOutKeepTheirValue(t *testing.T) {
	e := withChannels(t)
	e.cmd(ann, "/customer", "link Acme #acme-shared")
	e.cmd(ann, "/customer", "edit Acme notes renewal at risk")
	e.cmd(ann, "/customer", "edit Acme")
	form := e.lastView(ann, "open")
	in := formInput("", ann, "key", "every 7d", "")
	delete(in, "notes")
	delete(in, "channels")
	if r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, in); err != nil || len(r.Errors) > 0 {
		t.Fatalf("save: %+v, %v", r, err)
	}
	if c := e.customer("Acme"); c.Notes != "renewal at risk" || c.Tier != store.KeyTier {
		t.Errorf("Acme after a submission without notes: %+v", c)
	}
	if chs := channelsOf(e, "Acme"); len(chs) != 1 || chs[0] != shared {
		t.Errorf("Acme's channels after a submission without them: %v", chs)
	}

	e.slash(bob, "@ann Acme: send the deck tomorrow 3pm") // #1, ann's, recorded by bob
	e.slash(bob, "edit 1")
	edit := e.lastView(bob, "open")
	pin := modalInput("", "send the deck v2", "2026-11-24", "15:00", "")
	delete(pin, "owner")
	delete(pin, "customer")
	if r, err := e.sim.SubmitView(e.ctx(), bob, edit.ID, pin); err != nil || len(r.Errors) > 0 {
		t.Fatalf("save the edit: %+v, %v", r, err)
	}
	if p := e.promises()[0]; p.Owner != ann || p.Customer != "Acme" || p.Text != "send the deck v2" {
		t.Errorf("#1 after an edit without owner and customer: owner %s, customer %q, text %q", p.Owner, p.Customer, p.Text)
	}
}
