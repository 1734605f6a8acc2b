//go:build testall

package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/golang-jwt/jwt/v5"
)

// The web client at /app/ in a real browser (browser_harness_test.go drives it).

const firstChirp = `#timeline article:first-child`

// The whole journey of two users, in one browser.
func TestBrowserJourney(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	b := newBrowser(t, s, 1000, 900)
	b.open()
	if got := b.text("h1"); got != "Welcome to Chirpy" {
		t.Fatalf("h1 is %q", got)
	}
	b.waitFor("an empty timeline said to be empty", `!document.getElementById('timeline-empty').hidden`)
	if got := b.text("#timeline-empty"); got != "No chirps yet." {
		t.Errorf("an empty timeline says %q", got)
	}
	for id, want := range map[string]string{"email": "Email", "password": "Password", "new-chirp": "New chirp"} {
		if got := b.text(fmt.Sprintf(`label[for=%q]`, id)); got != want {
			t.Errorf("label of #%s is %q, want %q", id, got, want)
		}
	}

	// The policy holds in the browser: an inline script does not run, and
	// the violation reaches the console this test watches.
	eval[chromedp.Void](b, `(() => { const s = document.createElement('script');
		s.textContent = 'window.inlineRan = true'; document.body.append(s); })()`)
	b.takeProblem("Content Security Policy")
	if eval[bool](b, `window.inlineRan === true`) {
		t.Error("an inline script ran despite the Content-Security-Policy")
	}

	// Sign up: the page signs up, then logs in. A sign-up that cannot reach
	// the server says so; Sign up again sends the same Idempotency-Key.
	in := b.interceptPosts("/api/users", "", unreachable, held)
	b.typeInto("email", "walt@breakingbad.com")
	b.typeInto("password", "123456")
	b.do("click Sign up", chromedp.Click(chromedp.ID("signup")))
	b.waitFor("the network error shown", `document.getElementById('auth-error').textContent === 'Chirpy cannot be reached; try again.'`)
	// While it is on its way, neither Log in (Enter) nor Sign up can send
	// a second request.
	b.do("click Sign up again", chromedp.Click(chromedp.ID("signup")))
	if off := eval[bool](b, `document.getElementById('login').disabled && document.getElementById('signup').disabled`); !off {
		t.Error("Log in and Sign up stay enabled while a sign-up is on its way")
	}
	in.release()
	b.signedInAs("walt@breakingbad.com")
	if keys, _ := in.sent(); len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Errorf("Idempotency-Key of a sign-up and its retry: %q, want one key twice", keys)
	}
	in.stop()
	walt := decode[userJSON](t, s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}).expect(t, http.StatusOK))

	// Post: the count goes down as one types; the chirp lands on top. What
	// is typed while it is on its way is the next draft, kept.
	b.typeInto("new-chirp", "Say my name")
	if got := b.text("#chirp-count"); got != "129 characters left" {
		t.Errorf("count after 11 characters: %q", got)
	}
	in = b.interceptPosts("/api/chirps", "", held)
	b.do("click Chirp", chromedp.Click(chromedp.ID("chirp")))
	b.typeInto("new-chirp", "!")
	in.release()
	b.waitFor("the chirp on top", `document.querySelector('`+firstChirp+` .body')?.textContent === 'Say my name'`)
	in.stop()
	if got := b.bodies(); len(got) != 1 || got[0] != "Say my name" {
		t.Fatalf("timeline after posting: %q", got)
	}
	if v := eval[string](b, `document.getElementById('new-chirp').value`); v != "Say my name!" {
		t.Errorf("the composer has %q after posting, want the draft typed meanwhile", v)
	}
	b.setText("#new-chirp", "")

	// The count is in characters, as the server counts: 140 birds fit, 141
	// letters do not, and the page refuses to send them.
	b.setText("#new-chirp", strings.Repeat("🐦", 140))
	if got, off := b.text("#chirp-count"), eval[bool](b, `document.getElementById('chirp').disabled`); got != "0 characters left" || off {
		t.Errorf("140 emoji: count %q, button disabled %v; want 0 left, enabled", got, off)
	}
	// Not letters as seen: a combining accent is a character of its own,
	// unnormalised, so 71 accented e (142 code points) are 2 too many.
	b.setText("#new-chirp", strings.Repeat("e\u0301", 71))
	if got, off := b.text("#chirp-count"), eval[bool](b, `document.getElementById('chirp').disabled`); !strings.HasPrefix(got, "2 too many") || !off {
		t.Errorf("71 e with a combining accent: count %q, button disabled %v; want 2 too many, disabled", got, off)
	}
	b.setText("#new-chirp", strings.Repeat("a", 140))
	b.typeInto("new-chirp", "a")
	if got, off := b.text("#chirp-count"), eval[bool](b, `document.getElementById('chirp').disabled`); !strings.HasPrefix(got, "1 too many") || !off {
		t.Errorf("141 characters: count %q, button disabled %v; want 1 too many, disabled", got, off)
	}
	eval[chromedp.Void](b, `document.getElementById('chirp-form').requestSubmit()`)
	b.waitFor("the refusal", `document.getElementById('chirp-error').textContent === 'A chirp is at most 140 characters.'`)
	if n := len(decode[[]chirpJSON](t, s.req(t, "GET", "/api/chirps", nil))); n != 1 {
		t.Fatalf("%d chirps stored after a refused one, want 1", n)
	}

	// Markup is text: shown as typed, no element made, no script run.
	const markup = `<img src=x onerror=alert(1)>`
	b.setText("#new-chirp", markup)
	b.do("click Chirp", chromedp.Click(chromedp.ID("chirp")))
	b.waitFor("the markup chirp on top", `document.querySelector('`+firstChirp+` .body').textContent === `+js(markup))
	if n := eval[int](b, `document.querySelectorAll('main img').length`); n != 0 {
		t.Errorf("a chirp of markup made %d img elements", n)
	}

	// Edit, not yet a member: the server's refusal, in its words.
	saidNo := s.req(t, "PUT", "/api/chirps/"+decode[[]chirpJSON](t, s.req(t, "GET", "/api/chirps", nil))[0].ID,
		map[string]string{"body": "x"}, bearer(walt.Token)...).expect(t, http.StatusForbidden).errorMessage(t)
	b.do("click Edit", chromedp.Click(chromedp.CSS(firstChirp+` button.edit`)))
	b.waitFor("the editor", `document.activeElement === document.querySelector('`+firstChirp+` textarea')`)
	b.setText(firstChirp+` textarea`, "Say my name, fornax")
	b.do("click Save", chromedp.Click(chromedp.CSS(firstChirp+` form button[type=submit]`)))
	b.waitFor("the refusal to edit", `document.querySelector('`+firstChirp+` [role=alert]').textContent === `+js(saidNo))

	// Polka makes Walt a member; the same Save now edits.
	s.req(t, "POST", "/api/polka/webhooks", upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	b.do("click Save again", chromedp.Click(chromedp.CSS(firstChirp+` form button[type=submit]`)))
	b.waitFor("the edited chirp", `document.querySelector('`+firstChirp+` .body')?.textContent === 'Say my name, ****'`)
	b.waitFor("the member's badge", `!document.getElementById('red').hidden`)

	// A reload stays signed in: the refresh token, kept, gets a new access token.
	b.do("reload", chromedp.Reload())
	b.signedInAs("walt@breakingbad.com")
	b.waitFor("own chirps have Delete after a reload", `document.querySelectorAll('#timeline article button.delete').length === 2`)
	// The browser keeps the login's device cookie, out of the scripts' reach
	// and sent to /api/login only.
	jar, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{s.URL + "/api/login"}})
	if err != nil {
		t.Fatalf("cookies: %v", err)
	}
	if len(jar.Cookies) != 1 || jar.Cookies[0].Name != "chirpy_device" || !jar.Cookies[0].HTTPOnly || jar.Cookies[0].Path != "/api/login" {
		var got []string
		for _, c := range jar.Cookies {
			got = append(got, fmt.Sprintf("%s (path %s, HttpOnly %v)", c.Name, c.Path, c.HTTPOnly))
		}
		t.Errorf("cookies for /api/login: %v, want chirpy_device alone, HttpOnly", got)
	}
	if got := eval[string](b, `document.cookie`); got != "" {
		t.Errorf("the page's scripts read cookies %q", got)
	}

	// A chirp that cannot reach the server says so, and Chirp again is the
	// same submission: the same Idempotency-Key. An access token that has
	// expired is refreshed once, and the request sent again (with that key).
	b.waitFor("the reload's refresh done", `performance.getEntriesByType('resource').some(e => e.name.endsWith('/api/refresh'))`)
	expired := mint(t, jwt.SigningMethodHS256, []byte(testSecret(t)), "chirpy-access", walt.ID,
		time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour))
	in = b.interceptPosts("/api/chirps", expired, unreachable, expiredToken)
	b.setText("#new-chirp", "I am the one who knocks")
	b.do("click Chirp", chromedp.Click(chromedp.ID("chirp")))
	b.waitFor("the network error shown", `document.getElementById('chirp-error').textContent === 'Chirpy cannot be reached; try again.'`)
	b.do("click Chirp again", chromedp.Click(chromedp.ID("chirp")))
	b.waitFor("the chirp posted after a refresh", `document.querySelector('`+firstChirp+` .body').textContent === 'I am the one who knocks'`)
	if got := b.text("#chirp-error"); got != "" {
		t.Errorf("the composer says %q after a transparent refresh", got)
	}
	keys, refreshes := in.sent()
	if len(keys) != 3 || refreshes != 1 {
		t.Errorf("a failed send, then an expired token: %d POST /api/chirps and %d refreshes, want 3 and 1", len(keys), refreshes)
	}
	for _, k := range keys {
		if k == "" || k != keys[0] {
			t.Errorf("Idempotency-Key of the retries of one chirp: %q, want one key, the same each time", keys)
			break
		}
	}
	in.stop()

	// A request refreshes at most once. After a reload whose refresh could
	// not reach the server, a chirp first gets an access token; a 401 to
	// that fresh token is then shown, not refreshed again.
	refused := s.req(t, "POST", "/api/chirps", map[string]string{"body": "x"}, bearer(expired)...).
		expect(t, http.StatusUnauthorized).errorMessage(t)
	in = b.interceptPosts("/api/chirps", expired, unreachable, sendAsIs, expiredToken, unreachable, unreachable)
	b.do("reload", chromedp.Reload())
	b.waitFor("the reload's refresh failed", `document.getElementById('session-error').textContent === 'Chirpy cannot be reached; try again.'`)
	b.setText("#new-chirp", "Tread lightly")
	b.do("click Chirp", chromedp.Click(chromedp.ID("chirp")))
	b.waitFor("the 401 after a refresh shown", `document.getElementById('chirp-error').textContent === `+js(refused))
	if keys, refreshes := in.sent(); len(keys) != 1 || refreshes != 2 {
		t.Errorf("a chirp whose fresh token is refused: %d POST /api/chirps and %d refreshes (the reload's included), want 1 and 2", len(keys), refreshes)
	}
	// Text changed after a failure is another submission: a new
	// Idempotency-Key (the old one with this body would be answered 422).
	b.setText("#new-chirp", "Tread lightly!")
	b.do("click Chirp", chromedp.Click(chromedp.ID("chirp")))
	b.waitFor("the network error shown", `document.getElementById('chirp-error').textContent === 'Chirpy cannot be reached; try again.'`)
	if keys, _ := in.sent(); len(keys) != 2 || keys[0] == "" || keys[1] == "" || keys[0] == keys[1] {
		t.Errorf("Idempotency-Key of a chirp and of its edited text: %q, want two keys", keys)
	}
	// Back to the first text: that submission again, with its key, so that
	// a first try the server did carry out is not posted twice.
	b.setText("#new-chirp", "Tread lightly")
	b.do("click Chirp", chromedp.Click(chromedp.ID("chirp")))
	b.waitFor("the third try sent", `performance.getEntriesByType('resource').filter(e => e.name.endsWith('/api/chirps')).length >= 3`)
	b.waitFor("the network error shown", `document.getElementById('chirp-error').textContent === 'Chirpy cannot be reached; try again.'`)
	if keys, _ := in.sent(); len(keys) != 3 || keys[2] != keys[0] {
		t.Errorf("Idempotency-Key of a text, another, then the first again: %q, want the first key again", keys)
	}
	in.stop()
	b.setText("#new-chirp", "")

	// Delete the top chirp: gone from the page and from the server.
	gone := decode[[]chirpJSON](t, s.req(t, "GET", "/api/chirps?sort=desc", nil))[0]
	b.do("click Delete", chromedp.Click(chromedp.CSS(firstChirp+` button.delete`)))
	b.waitFor("the chirp gone", `document.querySelectorAll('#timeline article').length === 2`)
	if focused := eval[bool](b, `document.activeElement === document.querySelector('`+firstChirp+`')`); !focused {
		t.Errorf("after Delete, focus is on %q, want the chirp that took its place", eval[string](b, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	s.req(t, "GET", "/api/chirps/"+gone.ID, nil).expect(t, http.StatusNotFound)

	// Log out revokes the refresh token, and the page forgets it.
	refresh := eval[string](b, `JSON.parse(localStorage.getItem('chirpy.session')).refreshToken`)
	b.do("click Log out", chromedp.Click(chromedp.ID("logout")))
	b.waitFor("signed out", `!document.getElementById('auth-form').hidden && document.getElementById('composer').hidden`)
	if kept := eval[bool](b, `localStorage.getItem('chirpy.session') !== null`); kept {
		t.Error("the session is still in localStorage after Log out")
	}
	s.req(t, "POST", "/api/refresh", nil, bearer(refresh)...).expect(t, http.StatusUnauthorized)

	// A second user logs in by keyboard alone, and may not touch Walt's chirps.
	s.req(t, "POST", "/api/users", map[string]string{"email": "jesse@pinkman.com", "password": "yo-bitch"}).expect(t, http.StatusCreated)
	b.do("focus Email", chromedp.Focus(chromedp.ID("email")))
	b.do("type by keyboard", chromedp.KeyEvent("jesse@pinkman.com"), chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent("yo-bitch"), chromedp.KeyEvent(kb.Tab))
	if got := eval[string](b, `document.activeElement.textContent`); got != "Log in" {
		t.Fatalf("Tab from Password reaches %q, want the Log in button", got)
	}
	if outline := eval[string](b, `getComputedStyle(document.activeElement).outlineStyle`); outline == "none" {
		t.Error("the focused Log in button shows no focus outline")
	}
	b.do("press Enter", chromedp.KeyEvent(kb.Enter))
	b.signedInAs("jesse@pinkman.com")
	if n := eval[int](b, `document.querySelectorAll('#timeline article').length`); n != 2 {
		t.Fatalf("jesse sees %d chirps, want Walt's 2", n)
	}
	if n := eval[int](b, `document.querySelectorAll('#timeline button.delete, #timeline button.edit').length`); n != 0 {
		t.Errorf("jesse sees %d Delete or Edit buttons on Walt's chirps", n)
	}

	// Pages, newest first; one author's chirps, and back.
	jesse := decode[userJSON](t, s.req(t, "POST", "/api/login", map[string]string{"email": "jesse@pinkman.com", "password": "yo-bitch"}).expect(t, http.StatusOK))
	for i := range 24 {
		s.postChirp(t, jesse.Token, fmt.Sprintf("Yo %d", i))
	}
	long := strings.Repeat("W", 140) // one word, wider than a phone
	s.postChirp(t, jesse.Token, long)
	b.do("reload", chromedp.Reload())
	b.signedInAs("jesse@pinkman.com")
	b.waitFor("a page of 20", `document.querySelectorAll('#timeline article').length === 20 && !document.getElementById('older').hidden`)
	if got := b.bodies(); got[0] != long || got[1] != "Yo 23" {
		t.Fatalf("timeline is not newest first: %q", got[:2])
	}
	b.do("click Older chirps", chromedp.Click(chromedp.ID("older")))
	b.waitFor("every chirp", `document.querySelectorAll('#timeline article').length === 27 && document.getElementById('older').hidden`)
	if got := b.bodies(); got[25] != "Say my name, ****" || got[26] != "Say my name" {
		t.Errorf("the oldest chirps after Older chirps: %q", got[25:])
	}

	b.do("click Walt's name", chromedp.Click(chromedp.CSS(`#timeline article:last-child button.author`)))
	b.waitFor("Walt's chirps only", `document.querySelectorAll('#timeline article').length === 2 && !document.getElementById('all-chirps').hidden`)
	if got := b.text("#timeline-title"); got != "Chirps by "+walt.ID[:8] {
		t.Errorf("title of one author's chirps: %q", got)
	}
	b.do("click All chirps", chromedp.Click(chromedp.ID("all-chirps")))
	b.waitFor("all chirps again", `document.querySelectorAll('#timeline article').length === 20 && document.getElementById('all-chirps').hidden`)

	// A page of chirps that cannot be loaded says so, and does not claim
	// that there are none.
	in = b.interceptPosts("/api/chirps?*", "", unreachable, notJSON)
	b.do("click Walt's name", chromedp.Click(chromedp.CSS(`#timeline article:last-child button.author`)))
	b.waitFor("the failed load shown", `document.getElementById('timeline-error').textContent === 'Chirpy cannot be reached; try again.'`)
	if shown := eval[bool](b, `!document.getElementById('timeline-empty').hidden`); shown {
		t.Errorf("a timeline that failed to load says %q", b.text("#timeline-empty"))
	}
	// An answer that is not the API's JSON (a captive portal's page) is
	// said in words, not as the parser's complaint.
	b.do("click All chirps", chromedp.Click(chromedp.ID("all-chirps")))
	b.waitFor("the page that is not JSON said", `document.getElementById('timeline-error').textContent === "The server's answer could not be read; try again."`)
	in.stop()
	b.do("reload", chromedp.Reload())
	b.signedInAs("jesse@pinkman.com")
	b.waitFor("all chirps again", `document.querySelectorAll('#timeline article').length === 20 && document.getElementById('timeline-error').textContent === ''`)

	// On a 360 px phone nothing scrolls sideways, the long word included.
	b.do("a 360 px viewport", chromedp.EmulateViewport(360, 740))
	b.waitFor("the layout at 360 px", `window.innerWidth === 360`)
	b.fitsWidth(360)
	// Log out signs out of the page even when the revoke cannot reach the
	// server (and says so), and forgets the draft.
	in = b.interceptPosts("/api/revoke", "", unreachable)
	b.setText("#new-chirp", "a draft of Jesse's")
	b.do("log out", chromedp.Click(chromedp.ID("logout")))
	b.waitFor("signed out", `!document.getElementById('auth-form').hidden`)
	in.stop()
	if got := b.text("#auth-error"); got != "Signed out here, but the server could not revoke the session: Chirpy cannot be reached; try again." {
		t.Errorf("after a revoke that failed, the page says %q", got)
	}
	if kept := eval[bool](b, `localStorage.getItem('chirpy.session') !== null`); kept {
		t.Error("the session is still in localStorage after a Log out whose revoke failed")
	}
	if v := eval[string](b, `document.getElementById('new-chirp').value`); v != "" {
		t.Errorf("the composer kept %q after Log out", v)
	}
	b.fitsWidth(360)

	// Too many failed logins: the 429 is shown in the API's words, with the
	// wait it asks for.
	var throttled string
	for range 11 {
		res := s.req(t, "POST", "/api/login", map[string]string{"email": "saul@bettercall.com", "password": "wrong"})
		if res.Status == http.StatusTooManyRequests {
			throttled = res.errorMessage(t)
			break
		}
	}
	if !strings.HasPrefix(throttled, "Too many failed logins") {
		t.Fatalf("no 429 after 11 failed logins: %q", throttled)
	}
	b.setText("#email", "saul@bettercall.com")
	b.setText("#password", "wrong")
	b.do("press Enter", chromedp.Focus(chromedp.ID("password")), chromedp.KeyEvent(kb.Enter))
	b.waitFor("the 429 shown", `document.getElementById('auth-error').textContent.startsWith('Too many failed logins; try again in ')`)
}

// The picture of the README: the timeline of a signed-in member, at a
// phone's width. Written to $CHIRPY_SCREENSHOT when it is set (make
// screenshot); otherwise only checked to be a PNG.
func TestBrowserScreenshot(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	jesse := s.signUp(t, "jesse@pinkman.com", "yo-bitch")
	s.req(t, "POST", "/api/polka/webhooks", upgraded(walt.ID), apiKey(polkaKey)...).expect(t, http.StatusNoContent)
	for _, c := range []struct{ token, body string }{
		{walt.Token, "I am not in danger, Skyler. I am the danger."},
		{jesse.Token, "Yeah, science!"},
		{walt.Token, "Say my name."},
		{jesse.Token, "This is a kerfuffle Mr. White"},
		{walt.Token, "I am the one who knocks."},
	} {
		s.postChirp(t, c.token, c.body)
	}
	const width, height = 480, 900
	b := newBrowser(t, s, width, height)
	b.open()
	b.typeInto("email", "walt@breakingbad.com")
	b.typeInto("password", "123456")
	b.do("click Log in", chromedp.Click(chromedp.ID("login")))
	b.signedInAs("walt@breakingbad.com")
	b.typeInto("new-chirp", "Tread lightly.")
	b.waitFor("fonts and images ready", `document.fonts.status === 'loaded' && [...document.images].every(i => i.complete)`)
	eval[chromedp.Void](b, `document.activeElement.blur()`)
	ctx, cancel := context.WithTimeout(b.ctx, browserWait)
	defer cancel()
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if w := img.Bounds().Dx(); w != width {
		t.Errorf("screenshot %d px wide, want %d", w, width)
	}
	b.fitsWidth(width)
	if path := os.Getenv("CHIRPY_SCREENSHOT"); path != "" {
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", path, len(shot))
	}
}
