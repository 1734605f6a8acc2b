//go:build testall

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The web client at /app/, driven in Debian's Chromium, headless. A missing
// Chromium is a failure: make test-all (CI) installs it.

const chromiumPath = "/usr/bin/chromium"

// browserDeadline bounds a whole browser test; browserWait, one wait for the
// page. Generous: they are reached only when something is broken, and under
// the race detector with other tests beside it the machine is slow.
const (
	browserDeadline = 4 * time.Minute
	browserWait     = 45 * time.Second
)

// browser is one headless Chromium with one tab, and what its console said.
type browser struct {
	t   *testing.T
	ctx context.Context
	s   *testServer

	mu       sync.Mutex
	problems []string
}

// newBrowser starts Chromium with a window of width×height, and collects
// every console error, uncaught exception, CSP violation and dialog.
func newBrowser(t *testing.T, s *testServer, width, height int) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser tests need Chromium at %s (Debian: apt-get install chromium): %v", chromiumPath, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox, // as root, Chromium runs only without its sandbox
		chromedp.DisableGPU,
		// The machine's network is closed: nothing may try to reach out.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	ctx, cancel := context.WithTimeout(context.Background(), browserDeadline)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	b := &browser{t: t, ctx: ctx, s: s}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	console := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			b.noteConsole(m)
		}
	}()
	go func() {
		for d, err := range dialogs {
			if err != nil {
				return
			}
			b.note("a dialog opened: %s %q", d.Type, d.Message)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	t.Cleanup(b.checkConsole)
	return b
}

// noteConsole keeps what counts as a problem: an error or an exception of
// any kind, except the browser's own note that an API request got a 4xx (or
// the connection failure a test causes), which the page answers by showing
// the API's message (the test checks it).
func (b *browser) noteConsole(m chromedp.ConsoleMessage) {
	if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException {
		return
	}
	if m.Source == "network" && strings.HasPrefix(m.URL, b.s.URL+"/api/") &&
		(strings.Contains(m.Text, "status of 4") || strings.Contains(m.Text, "ERR_CONNECTION_REFUSED")) {
		return // a 4xx, or the failure the test made: the page shows it, the test checks
	}
	b.note("console %s (%s) at %s: %s", m.Type, m.Source, m.URL, m.Text)
}

func (b *browser) note(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

// takeProblem waits for a problem that contains want, and removes it: for a
// test that causes one on purpose.
func (b *browser) takeProblem(want string) {
	b.t.Helper()
	deadline := time.Now().Add(browserWait)
	for {
		b.mu.Lock()
		for i, p := range b.problems {
			if strings.Contains(p, want) {
				b.problems = append(b.problems[:i], b.problems[i+1:]...)
				b.mu.Unlock()
				return
			}
		}
		b.mu.Unlock()
		if time.Now().After(deadline) {
			b.t.Fatalf("the console never said %q", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkConsole fails the test for anything the console reported.
func (b *browser) checkConsole() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Error(p)
	}
	b.problems = nil
}

// do runs steps, failing the test with what for the first that fails.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserWait)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// waitFor waits until the JavaScript expression cond is true.
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	b.do(what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(browserWait))(ctx, t)
		return err
	}))
}

// eval returns what the JavaScript expression gives.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserWait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// js quotes s as a JavaScript string.
func js(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// typeInto types text into the element with id as a person would, key by key.
func (b *browser) typeInto(id, text string) {
	b.t.Helper()
	b.do("type into #"+id, chromedp.SendKeys(chromedp.ID(id), text))
}

// setText replaces the text of a field at once (a paste), as an input event.
func (b *browser) setText(sel, text string) {
	b.t.Helper()
	eval[chromedp.Void](b, fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.value = %s;
		e.dispatchEvent(new Event('input', {bubbles: true})); })()`, js(sel), js(text)))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`document.querySelector(%s).textContent`, js(sel)))
}

// bodies are the texts of the chirps shown, top first.
func (b *browser) bodies() []string {
	b.t.Helper()
	return eval[[]string](b, `[...document.querySelectorAll('#timeline article .body')].map(e => e.textContent)`)
}

func (b *browser) open() {
	b.t.Helper()
	b.do("open /app/", chromedp.Navigate(b.s.URL+"/app/"))
	b.waitFor("the timeline loaded", `document.querySelector('#timeline article') !== null || !document.getElementById('timeline-empty').hidden`)
}

func (b *browser) signedInAs(email string) {
	b.t.Helper()
	b.waitFor("signed in as "+email, fmt.Sprintf(`!document.getElementById('session').hidden &&
		document.getElementById('me').textContent === %s && !document.getElementById('composer').hidden`, js(email)))
}

// fitsWidth fails unless the page fits its width: no horizontal scroll.
func (b *browser) fitsWidth(width int) {
	b.t.Helper()
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > width {
		b.t.Errorf("the page is %d px wide in a %d px viewport: it scrolls sideways", w, width)
	}
}

// postFate is what the test does to one POST of the page.
type postFate int

const (
	sendAsIs     postFate = iota
	unreachable           // fails as if the server could not be reached
	expiredToken          // carries the test's expired access token instead of the page's
	held                  // waits until the test calls release, then is sent as it is
	notJSON               // answered 200 with an HTML page, as a captive portal or a proxy might
)

// interception is what the page sent to one POST path and to POST
// /api/refresh while the test stood in the way.
type interception struct {
	b         *browser
	done      context.CancelFunc // ends the watch of the paused requests
	released  chan struct{}      // closed by release: held requests go on
	mu        sync.Mutex
	seen      int      // requests paused so far
	keys      []string // the Idempotency-Key of each POST to the path
	refreshes int
}

// interceptPosts deals with the page's next POST requests to path
// (/api/chirps, say) and to /api/refresh as fates says, in turn, in the order
// the page sends them (later ones are sent as they are); expired is the token
// an expiredToken request carries. Until stop, it records them.
func (b *browser) interceptPosts(path, expired string, fates ...postFate) *interception {
	b.t.Helper()
	ctx, done := context.WithCancel(b.ctx)
	in := &interception{b: b, done: done, released: make(chan struct{})}
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: "*" + path}, {URLPattern: "*/api/refresh"},
	}}); err != nil {
		b.t.Fatalf("intercept requests: %v", err)
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			fate := sendAsIs
			in.mu.Lock()
			if in.seen < len(fates) {
				fate = fates[in.seen]
			}
			in.seen++
			switch {
			case strings.HasSuffix(ev.Request.URL, "/api/refresh"):
				in.refreshes++
			case ev.Request.Method == "POST":
				in.keys = append(in.keys, header(ev.Request.Headers, "Idempotency-Key"))
			}
			in.mu.Unlock()
			if err := in.deal(ev, fate, expired); err != nil {
				b.note("an intercepted request: %v", err)
			}
		}
	}()
	return in
}

func (in *interception) deal(ev fetch.EventRequestPaused, fate postFate, expired string) error {
	ctx := in.b.ctx
	if fate == unreachable {
		_, err := chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionRefused})
		return err
	}
	if fate == notJSON {
		_, err := chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 200,
			ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html"}},
			Body:            []byte("<!DOCTYPE html><title>Sign in to the Wi-Fi</title>")})
		return err
	}
	if fate == held {
		select {
		case <-in.released:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	params := fetch.ContinueRequestParams{RequestID: ev.RequestID}
	if fate == expiredToken {
		for name, v := range ev.Request.Headers {
			if strings.EqualFold(name, "Authorization") {
				v = "Bearer " + expired
			}
			params.Headers = append(params.Headers, &fetch.HeaderEntry{Name: name, Value: fmt.Sprint(v)})
		}
	}
	_, err := chromedp.Call(ctx, fetch.ContinueRequest, params)
	return err
}

func header(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// sent returns the Idempotency-Key of each POST to the path so far, and how
// many refreshes the page asked for.
func (in *interception) sent() (keys []string, refreshes int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.keys...), in.refreshes
}

// release sends the held requests on.
func (in *interception) release() { close(in.released) }

// stop lets the page's requests through untouched again.
func (in *interception) stop() {
	in.b.t.Helper()
	if _, err := chromedp.Call(in.b.ctx, fetch.Disable, cdp.Empty{}); err != nil {
		in.b.t.Fatalf("stop intercepting requests: %v", err)
	}
	in.done()
}
