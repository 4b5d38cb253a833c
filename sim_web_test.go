package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

var screenshots = flag.Bool("screenshots", false, "rewrite the README's screenshots in docs/sim from TestSimWeb")

// chromium finds a Chromium to drive: KEPT_CHROMIUM, else Debian's.
func chromium() string {
	if p := os.Getenv("KEPT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// lineWriter hands the first line that matches re to a channel, so the
// test can learn the page's address as a person reads it off the terminal.
type lineWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	re   *regexp.Regexp
	sent bool
	c    chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if m := w.re.FindString(w.buf.String()); m != "" && !w.sent {
		w.sent = true
		w.c <- m
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// webSim is `kept sim` serving its page, and a headless Chromium on it.
type webSim struct {
	t   *testing.T
	tab context.Context
	url string
}

// startWebSim runs `kept sim` with its clock at start and opens its page
// in Chromium as Ann; it skips (or fails, with CI=true) without Chromium.
func startWebSim(t *testing.T, start string) *webSim {
	t.Helper()
	browser := chromium()
	if browser == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no Chromium found: apt-get install chromium (or set KEPT_CHROMIUM)")
		}
		t.Skip("no Chromium (apt-get install chromium): skipping the web sim's browser test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	simCtx, stopSim := context.WithCancel(ctx)
	out := &lineWriter{re: regexp.MustCompile(`http://127\.0\.0\.1:\d+/`), c: make(chan string, 1)}
	var errs consoleOutput
	exited := make(chan int, 1)
	go func() {
		args := []string{"-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "kept.db"), "-at", start}
		exited <- simulate(simCtx, args, func(string) string { return "" }, strings.NewReader(""), out, &errs)
	}()
	t.Cleanup(func() {
		stopSim()
		if code := <-exited; code != 0 || errs.String() != "" {
			t.Errorf("kept sim exited %d: %s", code, errs.String())
		}
	})
	w := &webSim{t: t}
	select {
	case w.url = <-out.c:
	case code := <-exited:
		t.Fatalf("kept sim exited %d before serving: %s%s", code, out.String(), errs.String())
	case <-ctx.Done():
		t.Fatalf("kept sim printed no address: %s", out.String())
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(browser),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	t.Cleanup(cancelAlloc)
	tab, closeTab := chromedp.NewContext(alloc)
	t.Cleanup(closeTab)
	w.tab = tab
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	// Any uncaught exception or console error in the page fails the test.
	var jsMu sync.Mutex
	var jsErrors []string
	go func() {
		for m, err := range chromedp.Console(tab) {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError {
				jsMu.Lock()
				jsErrors = append(jsErrors, m.String())
				jsMu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		jsMu.Lock()
		defer jsMu.Unlock()
		for _, e := range jsErrors {
			t.Errorf("page error: %s", e)
		}
	})
	w.step("load the page", chromedp.Navigate(w.url+"#as=U0ANN&conv=C0SALES"), chromedp.WaitVisible(chromedp.ID("composer-input")))
	return w
}

// step runs actions, failing with what the page shows when they time out.
func (w *webSim) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	w.t.Helper()
	sctx, cancel := context.WithTimeout(w.tab, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		text, _ := chromedp.Run(w.tab, chromedp.Evaluate[string](`document.body.innerText`))
		w.t.Fatalf("%s: %v\nthe page shows:\n%s", what, err, text)
	}
}

// screenshot saves the viewport as name.png in dir.
func (w *webSim) screenshot(dir, name string) {
	w.t.Helper()
	// Let the page settle: the last refresh drawn.
	w.step("settle before "+name, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`new Promise(r => setTimeout(() => r(true), 300))`, chromedp.EvalAwaitPromise)(ctx, tg)
		return err
	}))
	b, err := chromedp.Run(w.tab, chromedp.CaptureScreenshot())
	if err != nil {
		w.t.Fatalf("screenshot %s: %v", name, err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Dx() != 1280 {
		w.t.Fatalf("screenshot %s is not a 1280-wide PNG: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// message is the XPath of a message whose text contains s.
func message(s string) string {
	return fmt.Sprintf(`//div[contains(concat(" ", @class, " "), " msg ")][contains(., %q)]`, s)
}

// xp is an XPath selector.
func xp(path string) chromedp.Search { return chromedp.Search(path) }

func (w *webSim) typeLine(what, line string) {
	w.t.Helper()
	w.step(what, chromedp.Click(chromedp.ID("composer-input")), chromedp.SendKeys(chromedp.ID("composer-input"), line), chromedp.KeyEvent(kb.Enter))
}

func (w *webSim) become(name string) {
	w.t.Helper()
	w.step("become "+name,
		chromedp.Click(chromedp.ID("who-button")),
		chromedp.Click(xp(fmt.Sprintf(`//div[@id="menu"]//button[contains(., %q)]`, name)), chromedp.NodeVisible),
		chromedp.WaitVisible(xp(fmt.Sprintf(`//button[@id="who-button"][contains(., %q)]`, name))),
	)
}

func (w *webSim) open(conv string) {
	w.t.Helper()
	w.step("open "+conv, chromedp.Click(xp(fmt.Sprintf(`//nav[@id="sidebar"]//button[contains(., %q)]`, conv)), chromedp.NodeVisible))
}

// TestSimWeb is a newcomer's first minutes with `kept sim` in a real
// browser: a promise in one line, the reminder after moving the clock, Done
// updating it in place; the form with a wrong date and then a right one;
// the Home tab and a button on it; the message shortcut on a customer's
// message in a shared channel; @-completion sending a real mention; and the
// weekly digest after moving the clock a week. It saves the README's
// screenshots when run with -screenshots.
func TestSimWeb(t *testing.T) {
	shotDir := t.TempDir()
	if *screenshots {
		shotDir = filepath.Join("docs", "sim")
		if err := os.MkdirAll(shotDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Monday 23 Nov 2026, 8:55 in New York, where Ann works.
	w := startWebSim(t, "2026-11-23T13:55:00Z")
	step, shot, typeLine, open := w.step, func(name string) { w.screenshot(shotDir, name) }, w.typeLine, w.open
	switchTo := w.become
	tab := w.tab

	// The composer offers the manifest's commands with their usage hints.
	step("slash completion",
		chromedp.Click(chromedp.ID("composer-input")),
		chromedp.SendKeys(chromedp.ID("composer-input"), "/pro"),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="popup"]//div[contains(., "/promise")][contains(., "send the renewal quote friday 5pm")]`)),
		chromedp.KeyEvent(kb.Tab),
		chromedp.WaitNotVisible(chromedp.ID("popup")),
		chromedp.SendKeys(chromedp.ID("composer-input"), "Acme: call back in 10 minutes"),
		chromedp.KeyEvent(kb.Enter),
	)
	step("the answer is only visible to Ann",
		chromedp.WaitVisible(chromedp.Search(message("Got it")+`[contains(., "Only visible to you")][contains(., "Acme")]`)))

	// Ten minutes later the reminder is in Ann's DM with Kept.
	step("move the clock 10 minutes", chromedp.Click(chromedp.CSS(`button[data-advance="10m"]`)))
	step("the Kept DM is marked unread", chromedp.WaitVisible(chromedp.Search(`//ul[@id="app-list"]//button[contains(@class, "unread")]`)))
	open("Kept")
	step("the reminder", chromedp.WaitVisible(chromedp.Search(message("Time to keep your word")+`//button[contains(., "Done")]`)))
	step("the date token is drawn in Ann's zone", chromedp.WaitVisible(chromedp.Search(message("Time to keep your word")+`//time[contains(., "Today at 9:05 AM")]`)))
	step("the Snooze menu",
		chromedp.Click(chromedp.Search(message("Time to keep your word")+`//button[@data-type="static_select"]`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="menu"]//button[contains(., "Tomorrow 9:00")]`)),
	)
	shot("reminder")
	step("close the menu", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.ID("menu")))
	step("press Done", chromedp.Click(chromedp.Search(message("Time to keep your word")+`//button[contains(., "Done")]`), chromedp.NodeVisible))
	step("the reminder is updated in place",
		chromedp.WaitVisible(chromedp.Search(message("Kept, on time")+`//span[contains(@class, "msg-edited")]`)),
		chromedp.WaitNotPresent(chromedp.Search(message("Time to keep your word")+`//button[contains(., "Done")]`)),
	)

	// The form: a date in the past is refused under the field, a good one is taken.
	open("sales")
	typeLine("open the form", "/promise")
	step("pick the completion, then send", chromedp.KeyEvent(kb.Enter))
	step("the form opens", chromedp.WaitVisible(chromedp.Search(`//div[@id="modal"]//h2[contains(., "Promise a follow-up")]`)))
	step("fill it in",
		chromedp.SendKeys(chromedp.CSS(`.s-input[data-block="customer"] input`), "Globex"),
		chromedp.SendKeys(chromedp.CSS(`.s-input[data-block="what"] textarea`), "send the signed contract"),
		chromedp.SetValue(chromedp.CSS(`.s-input[data-block="date"] input`), "2026-11-20"),
		chromedp.Click(chromedp.CSS(`#modal .modal-submit`)),
	)
	step("the error is under the date",
		chromedp.WaitVisible(chromedp.Search(`//div[contains(@class, "s-input")][@data-block="date"]//div[contains(@class, "s-error")][contains(., "in the past")]`)))
	shot("form")
	step("a good date",
		chromedp.SetValue(chromedp.CSS(`.s-input[data-block="date"] input`), "2026-11-25"),
		chromedp.SetValue(chromedp.CSS(`.s-input[data-block="time"] input`), "15:00"),
		chromedp.Click(chromedp.CSS(`#modal .modal-submit`)),
		chromedp.WaitNotVisible(chromedp.ID("modal-layer")),
		chromedp.WaitVisible(chromedp.Search(message("Globex")+`[contains(., "Only visible to you")]`)),
	)

	// The Home tab lists it, with buttons that work.
	open("Kept")
	step("the Home tab",
		chromedp.Click(chromedp.CSS(`#tabs button[data-tab="home"]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="home"]//div[contains(@class, "s-header")][contains(., "Your promises")]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="home"]//div[contains(., "send the signed contract")]`)),
	)
	shot("home")
	step("press Done on the Home tab",
		chromedp.Click(chromedp.Search(`//div[@id="home"]//button[contains(@class, "s-btn")][contains(., "Done")]`), chromedp.NodeVisible),
		chromedp.WaitNotPresent(chromedp.Search(`//div[@id="home"]//div[contains(., "send the signed contract")]`)),
	)

	// A customer writes in the shared channel; Ann makes it a promise.
	switchTo("Cara Diaz")
	open("acme-shared")
	typeLine("Cara writes", "Could you send the updated price list by Thursday?")
	step("her message", chromedp.WaitVisible(chromedp.Search(message("updated price list"))))
	switchTo("Ann Archer")
	open("acme-shared")
	hover(t, tab, message("updated price list"))
	step("reply in the thread",
		chromedp.Click(chromedp.Search(message("updated price list")+`//button[contains(@class, "msg-thread")]`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="thread-note"][contains(., "Cara Diaz")]`)),
	)
	typeLine("Ann answers in the thread", "On it, Cara.")
	step("the reply is under her message",
		chromedp.WaitVisible(chromedp.Search(message("updated price list")+`//div[contains(@class, "msg-replies")][contains(., "1 reply")]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[contains(@class, "msg-reply")][contains(., "On it, Cara.")]`)),
		chromedp.WaitNotVisible(chromedp.ID("thread-note")),
	)
	hover(t, tab, message("updated price list"))
	step("the message shortcut",
		chromedp.Click(chromedp.Search(message("updated price list")+`//button[contains(@class, "msg-more")]`), chromedp.NodeVisible),
		chromedp.Click(chromedp.Search(`//div[@id="menu"]//button[contains(., "Promise a follow-up")]`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="modal"]//textarea[contains(., "updated price list")]`)),
		chromedp.SendKeys(chromedp.CSS(`.s-input[data-block="customer"] input`), "Acme"),
		chromedp.Click(chromedp.CSS(`#modal .modal-submit`)),
		chromedp.WaitNotVisible(chromedp.ID("modal-layer")),
		chromedp.WaitVisible(chromedp.Search(message("Got it")+`[contains(., "updated price list")]`)),
	)

	// @-completion sends a real mention.
	open("sales")
	step("mention completion",
		chromedp.Click(chromedp.ID("composer-input")),
		chromedp.SendKeys(chromedp.ID("composer-input"), "Thanks @bo"),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="popup"]//div[contains(., "Bob Brun")]`)),
		chromedp.KeyEvent(kb.Tab),
		chromedp.SendKeys(chromedp.ID("composer-input"), "for the intro"),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(message("for the intro")+`//span[contains(@class, "s-mention")][contains(., "@Bob Brun")]`)),
	)

	// A week on, Monday 9:00 brings the digest to #sales.
	typeLine("add a customer", "/customer add Initech every 14d tier key")
	step("the customer is added", chromedp.WaitVisible(chromedp.Search(message("Initech")+`[contains(., "Only visible to you")]`)))
	step("move the clock a week", chromedp.Click(chromedp.CSS(`button[data-advance="1w"]`)))
	step("the digest", chromedp.WaitVisible(chromedp.Search(message("Kept digest")+`[not(contains(., "Only visible to you"))]`)))
	shot("digest")
}

// hover moves the mouse over the element at xpath, as a person does to
// reach a message's actions.
func hover(t *testing.T, tab context.Context, xpath string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.Search(xpath))); err != nil {
		t.Fatalf("hover: %v", err)
	}
	xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(
		`(() => { const el = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`, xpath)))
	if err != nil || len(xy) != 2 {
		t.Fatalf("hover: where is %s: %v", xpath, err)
	}
	if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, xy[0], xy[1])); err != nil {
		t.Fatalf("hover: %v", err)
	}
}

// TestSimWebZones: "tomorrow" is 9:00 where each owner lives. Bob's
// reminder arrives at 9:00 in Paris and Ann's six hours later, at 9:00 in
// New York, moving the clock to a date and time in each one's own zone;
// a reply only one person can see stays hidden from the other.
func TestSimWebZones(t *testing.T) {
	w := startWebSim(t, "2026-11-23T13:55:00Z") // Mon 8:55 in New York, 14:55 in Paris
	w.typeLine("Ann promises", "/promise Acme: call back tomorrow")
	w.step("Ann's answer", chromedp.WaitVisible(xp(message("Got it")+`[contains(., "Acme")]`)))
	w.become("Bob Brun")
	w.open("sales")
	w.step("Bob does not see Ann's answer", chromedp.WaitNotPresent(xp(message("Got it")+`[contains(., "Acme")]`)))
	w.typeLine("Bob promises", "/promise Initech: call back tomorrow")
	w.step("Bob's answer", chromedp.WaitVisible(xp(message("Got it")+`[contains(., "Initech")]`)))

	w.step("the clock refuses the past",
		chromedp.SetValue(chromedp.ID("clock-input"), "2026-11-20T09:00"),
		chromedp.Click(xp(`//form[@id="clock-to"]/button`)),
		chromedp.WaitVisible(xp(message("the clock only moves forward")+`[contains(., "Only visible to you")]`)),
	)
	w.step("Bob moves the clock to 9:00 tomorrow, his time",
		chromedp.SetValue(chromedp.ID("clock-input"), "2026-11-24T09:00"),
		chromedp.Click(xp(`//form[@id="clock-to"]/button`)),
		chromedp.WaitVisible(xp(`//span[@id="clock-text"][contains(., "Tue 24 Nov 2026, 9:00 AM CET")]`)),
	)
	w.open("Kept")
	w.step("Bob's reminder, due today at 9:00 his time",
		chromedp.WaitVisible(xp(message("Time to keep your word")+`[contains(., "Initech")]//time[contains(., "Today at 9:00 AM")]`)))

	w.become("Ann Archer")
	w.step("Ann's clock reads 3:00 in the morning", chromedp.WaitVisible(xp(`//span[@id="clock-text"][contains(., "Tue 24 Nov 2026, 3:00 AM EST")]`)))
	w.step("Ann has no reminder yet", chromedp.WaitVisible(xp(`//div[@id="messages"]//div[contains(@class, "empty")]`)))
	w.step("Ann moves the clock to 9:00, her time",
		chromedp.SetValue(chromedp.ID("clock-input"), "2026-11-24T09:00"),
		chromedp.Click(xp(`//form[@id="clock-to"]/button`)),
		chromedp.WaitVisible(xp(message("Time to keep your word")+`[contains(., "Acme")]//time[contains(., "Today at 9:00 AM")]`)),
	)
}

// TestSimWebReminderMenus: the reminder's Snooze menu, its "Pick a time…"
// form (closed once, then submitted) and the Reassign user menu.
func TestSimWebReminderMenus(t *testing.T) {
	w := startWebSim(t, "2026-11-23T13:55:00Z")
	for _, c := range []string{"Acme", "Globex", "Initech"} {
		w.typeLine("promise for "+c, "/promise "+c+": call back in 10 minutes")
		w.step("answer for "+c, chromedp.WaitVisible(xp(message("Got it")+fmt.Sprintf(`[contains(., %q)]`, c))))
	}
	w.step("move the clock 10 minutes", chromedp.Click(chromedp.CSS(`button[data-advance="10m"]`)))
	w.open("Kept")
	reminder := func(c string) string { return message("Time to keep your word") + fmt.Sprintf(`[contains(., %q)]`, c) }
	for _, c := range []string{"Acme", "Globex", "Initech"} {
		w.step("reminder for "+c, chromedp.WaitVisible(xp(reminder(c)+`//button[contains(., "Done")]`)))
	}

	w.step("snooze Acme an hour",
		chromedp.Click(xp(reminder("Acme")+`//button[@data-type="static_select"]`), chromedp.NodeVisible),
		chromedp.Click(xp(`//div[@id="menu"]//button[contains(., "1 hour")]`), chromedp.NodeVisible),
		chromedp.WaitVisible(xp(reminder("Acme")+`[contains(., "Snoozed")]//time[contains(., "Today at 10:05 AM")]`)),
		chromedp.WaitNotPresent(xp(reminder("Acme")+`//button[contains(., "Done")]`)),
	)

	w.step("hand Globex to Bob",
		chromedp.Click(xp(reminder("Globex")+`//button[@data-type="users_select"]`), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`#menu .menu-search`), "bob"),
		chromedp.Click(xp(`//div[@id="menu"]//button[contains(., "Bob Brun")]`), chromedp.NodeVisible),
		chromedp.WaitVisible(xp(reminder("Globex")+`[contains(., "Handed to")]//span[contains(@class, "s-mention")][contains(., "Bob Brun")]`)),
	)

	pickATime := func() {
		w.step("Pick a time…",
			chromedp.Click(xp(reminder("Initech")+`//button[@data-type="static_select"]`), chromedp.NodeVisible),
			chromedp.Click(xp(`//div[@id="menu"]//button[contains(., "Pick a time")]`), chromedp.NodeVisible),
			chromedp.WaitVisible(xp(`//div[@id="modal"]//h2[contains(., "Snooze #3")]`)),
		)
	}
	pickATime()
	w.step("close the form", chromedp.Click(chromedp.CSS(`#modal .modal-close`)), chromedp.WaitNotVisible(chromedp.ID("modal-layer")))
	w.step("nothing changed", chromedp.WaitVisible(xp(reminder("Initech")+`//button[contains(., "Done")]`)))
	pickATime()
	w.step("snooze to Wednesday 14:30",
		chromedp.SetValue(chromedp.CSS(`.s-input[data-block="date"] input`), "2026-11-25"),
		chromedp.SetValue(chromedp.CSS(`.s-input[data-block="time"] input`), "14:30"),
		chromedp.Click(chromedp.CSS(`#modal .modal-submit`)),
		chromedp.WaitNotVisible(chromedp.ID("modal-layer")),
		chromedp.WaitVisible(xp(reminder("Initech")+`[contains(., "Snoozed")]//time[contains(., "Nov 25, 2026 at 2:30 PM")]`)),
	)

	// The form's owner menu keeps its choice until the form is submitted.
	w.open("sales")
	w.typeLine("open the form", "/promise")
	w.step("send it", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(xp(`//div[@id="modal"]//h2[contains(., "Promise a follow-up")]`)))
	w.step("a promise for Bob to keep",
		chromedp.SendKeys(chromedp.CSS(`.s-input[data-block="what"] textarea`), "send Hooli the deck"),
		chromedp.Click(chromedp.CSS(`.s-input[data-block="owner"] .s-select`)),
		chromedp.SendKeys(chromedp.CSS(`#menu .menu-search`), "bo"),
		chromedp.Click(xp(`//div[@id="menu"]//button[contains(., "Bob Brun")]`), chromedp.NodeVisible),
		chromedp.WaitVisible(xp(`//div[@data-block="owner"]//span[contains(@class, "s-select-label")][contains(., "Bob Brun")]`)),
		chromedp.Click(chromedp.CSS(`#modal .modal-submit`)),
		chromedp.WaitNotVisible(chromedp.ID("modal-layer")),
	)

	w.become("Bob Brun")
	w.open("Kept")
	w.step("Bob was told", chromedp.WaitVisible(xp(message("handed you a promise")+`[contains(., "Globex")]`)))
	w.step("and about the deck", chromedp.WaitVisible(xp(message("recorded a promise for you")+`[contains(., "send Hooli the deck")]`)))
}

// TestSimWebCheckin: a key customer not heard from in a week gets its
// owner a keep-in-touch prompt, with the last note for context; "Logged a
// touch" opens a form that wants a line about it, then marks the prompt.
func TestSimWebCheckin(t *testing.T) {
	w := startWebSim(t, "2026-11-23T13:55:00Z") // Mon 8:55 in New York
	w.typeLine("add a customer", "/customer add Acme every 7d tier key")
	w.step("added", chromedp.WaitVisible(xp(message("Added")+`[contains(., "Acme")]`)))
	w.typeLine("add another", "/customer add Globex every 7d tier key")
	w.step("added too", chromedp.WaitVisible(xp(message("Added")+`[contains(., "Globex")]`)))
	w.typeLine("log a touch", "/touch Acme called just to talk; they open an office in Lyon")
	w.step("logged", chromedp.WaitVisible(xp(message("Lyon")+`[contains(., "Only visible to you")]`)))
	// Mon 30 Nov 8:55 is before Ann's working hours: no prompt until 9:00.
	w.step("a week later", chromedp.Click(chromedp.CSS(`button[data-advance="1w"]`)), chromedp.WaitVisible(xp(`//span[@id="clock-text"][contains(., "Mon 30 Nov 2026, 8:55 AM")]`)))
	w.open("Kept")
	w.step("no prompt before 9:00", chromedp.WaitVisible(xp(`//div[@id="messages"]//div[contains(@class, "empty")]`)))
	w.step("an hour later", chromedp.Click(chromedp.CSS(`button[data-advance="1h"]`)))
	// Both are due: one prompt lists them, a row and buttons each.
	prompt := message("Time to check in") + `[contains(., "Acme")][contains(., "Globex")]`
	w.step("the prompt, with the last note",
		chromedp.WaitVisible(xp(prompt+`[contains(., "Lyon")]//button[@data-value="acme"][contains(., "Logged a touch")]`)),
		chromedp.WaitVisible(xp(prompt+`//button[@data-type="static_select"][contains(., "Change cadence")]`)),
	)
	w.step("Logged a touch",
		chromedp.Click(xp(prompt+`//button[@data-value="acme"][contains(., "Logged a touch")]`), chromedp.NodeVisible),
		chromedp.WaitVisible(xp(`//div[@id="modal"]//div[contains(@class, "s-input")][@data-block="note"]`)),
		chromedp.Click(chromedp.CSS(`#modal .modal-submit`)),
		chromedp.WaitVisible(xp(`//div[@data-block="note"]//div[contains(@class, "s-error")][normalize-space(.) != ""]`)),
		chromedp.SendKeys(chromedp.CSS(`.s-input[data-block="note"] textarea, .s-input[data-block="note"] input`), "lunch with their new CFO"),
		chromedp.WaitNotVisible(xp(`//div[@data-block="note"]//div[contains(@class, "s-error")]`)),
		chromedp.Click(chromedp.CSS(`#modal .modal-submit`)),
		chromedp.WaitNotVisible(chromedp.ID("modal-layer")),
		chromedp.WaitVisible(xp(prompt+`[contains(., "Touch logged")]`)),
		chromedp.WaitNotPresent(xp(prompt+`//button[@data-value="acme"]`)),
		// Globex's row is as it was.
		chromedp.WaitVisible(xp(prompt+`//button[@data-value="globex"][contains(., "Logged a touch")]`)),
	)

	// Globex, never touched, needs its owner on the Home tab, with a button.
	quiet := `//div[@id="home"]//div[contains(@class, "s-section")][contains(., "Globex")]`
	w.step("the Home tab",
		chromedp.Click(chromedp.CSS(`#tabs button[data-tab="home"]`)),
		chromedp.WaitVisible(xp(`//div[@id="home"]//div[contains(., "Customers needing you")]`)),
		chromedp.WaitVisible(xp(quiet+`//div[contains(@class, "s-accessory")]//button[contains(., "Log a touch")]`)),
	)
	w.step("log a touch from the Home tab",
		chromedp.Click(xp(quiet+`//button[contains(., "Log a touch")]`), chromedp.NodeVisible),
		chromedp.WaitVisible(xp(`//div[@id="modal"]//div[contains(@class, "s-input")][@data-block="note"]`)),
		chromedp.SendKeys(chromedp.CSS(`.s-input[data-block="note"] textarea, .s-input[data-block="note"] input`), "sent the onboarding pack"),
		chromedp.Click(chromedp.CSS(`#modal .modal-submit`)),
		chromedp.WaitNotVisible(chromedp.ID("modal-layer")),
		chromedp.WaitNotPresent(xp(quiet)),
		chromedp.WaitVisible(xp(`//div[@id="home"]//div[contains(., "touches logged: 2")]`)),
	)
}

// TestSimWebSlashMention: a mention picked in a slash command reaches Kept
// as Slack sends it with should_escape, so /promise give works as the
// README says.
func TestSimWebSlashMention(t *testing.T) {
	w := startWebSim(t, "2026-11-23T13:55:00Z")
	w.typeLine("a promise", "/promise Acme: call back tomorrow")
	w.step("recorded", chromedp.WaitVisible(xp(message("Got it")+`[contains(., "Acme")]`)))
	w.step("give it to Bob, picking him from the list",
		chromedp.Click(chromedp.ID("composer-input")),
		chromedp.SendKeys(chromedp.ID("composer-input"), "/promise give 1 @bo"),
		chromedp.WaitVisible(xp(`//div[@id="popup"]//div[contains(., "Bob Brun")]`)),
		chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(xp(message("Gave")+`//span[contains(@class, "s-mention")][contains(., "Bob Brun")]`)),
	)
	w.become("Bob Brun")
	w.open("Kept")
	w.step("Bob is told", chromedp.WaitVisible(xp(message("handed you a promise")+`[contains(., "Acme")]`)))
}
