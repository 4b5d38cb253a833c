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

// TestSimWeb is a newcomer's first minutes with `kept sim` in a real
// browser: a promise in one line, the reminder after moving the clock, Done
// updating it in place; the form with a wrong date and then a right one;
// the Home tab and a button on it; the message shortcut on a customer's
// message in a shared channel; @-completion sending a real mention; and the
// weekly digest after moving the clock a week. It saves the README's
// screenshots when run with -screenshots.
func TestSimWeb(t *testing.T) {
	browser := chromium()
	if browser == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no Chromium found: apt-get install chromium (or set KEPT_CHROMIUM)")
		}
		t.Skip("no Chromium (apt-get install chromium): skipping the web sim's browser test")
	}
	shotDir := t.TempDir()
	if *screenshots {
		shotDir = filepath.Join("docs", "sim")
		if err := os.MkdirAll(shotDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	simCtx, stopSim := context.WithCancel(ctx)
	out := &lineWriter{re: regexp.MustCompile(`http://127\.0\.0\.1:\d+/`), c: make(chan string, 1)}
	var errs consoleOutput
	exited := make(chan int, 1)
	go func() {
		// Monday 23 Nov 2026, 8:55 in New York, where Ann works.
		args := []string{"-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "kept.db"), "-at", "2026-11-23T13:55:00Z"}
		exited <- simulate(simCtx, args, func(string) string { return "" }, strings.NewReader(""), out, &errs)
	}()
	defer func() {
		stopSim()
		if code := <-exited; code != 0 {
			t.Errorf("kept sim exited %d: %s", code, errs.String())
		}
	}()
	var url string
	select {
	case url = <-out.c:
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
	defer cancelAlloc()
	tab, closeTab := chromedp.NewContext(alloc)
	defer closeTab()

	// Any uncaught exception in the page fails the test.
	var jsMu sync.Mutex
	var jsErrors []string
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
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
	defer func() {
		jsMu.Lock()
		defer jsMu.Unlock()
		for _, e := range jsErrors {
			t.Errorf("page error: %s", e)
		}
	}()

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(tab, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			html, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('#main') ? document.querySelector('#main').innerText : ''`))
			t.Fatalf("%s: %v\nthe page shows:\n%s", what, err, html)
		}
	}
	shot := func(name string) {
		t.Helper()
		// Let the page settle: the last refresh drawn, no menu open.
		step("settle before "+name, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`new Promise(r => setTimeout(() => r(true), 300))`, chromedp.EvalAwaitPromise)(ctx, tg)
			return err
		}))
		b, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != 1280 {
			t.Fatalf("screenshot %s is not a 1280-wide PNG: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shotDir, name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// message is the XPath of a message whose text contains s.
	message := func(s string) string {
		return fmt.Sprintf(`//div[contains(concat(" ", @class, " "), " msg ")][contains(., %q)]`, s)
	}
	typeLine := func(what, line string) {
		t.Helper()
		step(what, chromedp.Click(chromedp.ID("composer-input")), chromedp.SendKeys(chromedp.ID("composer-input"), line), chromedp.KeyEvent(kb.Enter))
	}
	switchTo := func(name string) {
		t.Helper()
		step("become "+name,
			chromedp.Click(chromedp.ID("who-button")),
			chromedp.Click(chromedp.Search(fmt.Sprintf(`//div[@id="menu"]//button[contains(., %q)]`, name)), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//button[@id="who-button"][contains(., %q)]`, name))),
		)
	}
	open := func(conv string) {
		t.Helper()
		step("open "+conv, chromedp.Click(chromedp.Search(fmt.Sprintf(`//nav[@id="sidebar"]//button[contains(., %q)]`, conv)), chromedp.NodeVisible))
	}

	step("load the page", chromedp.Navigate(url+"#as=U0ANN&conv=C0SALES"), chromedp.WaitVisible(chromedp.ID("composer-input")))

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
	shot("reminder")
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
