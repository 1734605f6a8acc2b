package main

import (
	"net/http"
	"strconv"
	"testing"
)

// loginWith logs in from s's client, sending device as the device cookie
// when it is not empty.
func (s *testServer) loginWith(t *testing.T, email, password, device string) response {
	t.Helper()
	var header []string
	if device != "" {
		header = []string{"Cookie", "chirpy_device=" + device}
	}
	return s.req(t, "POST", "/api/login", map[string]string{"email": email, "password": password}, header...)
}

// signUpWithCookie creates a user and logs in from s's client, returning
// the login's response, which sets the device cookie.
func (s *testServer) signUpWithCookie(t *testing.T, email, password string) response {
	t.Helper()
	s.req(t, "POST", "/api/users", map[string]string{"email": email, "password": password}).expect(t, http.StatusCreated)
	return s.loginWith(t, email, password, "").expect(t, http.StatusOK)
}

// lockOut locks email's account out with 100 wrong guesses from 25 clients
// (the last refused), as the tests' LOGIN_LIMIT_PER_CLIENT of 4 allows.
func (s *testServer) lockOut(t *testing.T, email string) {
	t.Helper()
	for c := 10; c < 35; c++ {
		guesser := s.from("127.0.0." + strconv.Itoa(c))
		for range 4 {
			guesser.loginWith(t, email, "guess", "")
		}
	}
}

// deviceCookie is the device cookie r sets, or nil.
func deviceCookie(t *testing.T, r response) *http.Cookie {
	t.Helper()
	for _, line := range r.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatalf("Set-Cookie %q: %v", line, err)
		}
		if c.Name == "chirpy_device" {
			return c
		}
	}
	return nil
}

// A login sets a device cookie (OWASP's device cookies) for a year, for the
// login alone, out of scripts' and other sites' reach; Secure when a trusted
// proxy says the request came over HTTPS. A failed login sets none, and the
// cookie is no access token.
func TestDeviceCookieSetAtLogin(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"TRUSTED_PROXIES": "127.0.0.1"})
	walt := s.signUp(t, "walt@breakingbad.com", "123456")
	r := s.loginWith(t, "walt@breakingbad.com", "123456", "").expect(t, http.StatusOK)
	c := deviceCookie(t, r)
	if c == nil || c.Path != "/api/login" || c.MaxAge != 365*24*3600 || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure {
		t.Fatalf("the device cookie over plain HTTP: %+v", c)
	}
	if got := decode[userJSON](t, r); got.ID != walt.ID || got.Token == "" || got.RefreshToken == "" {
		t.Errorf("the login's body: %s", r.Body)
	}
	https := s.req(t, "POST", "/api/login", map[string]string{"email": "walt@breakingbad.com", "password": "123456"}, "X-Forwarded-Proto", "https").expect(t, http.StatusOK)
	if c := deviceCookie(t, https); c == nil || !c.Secure {
		t.Errorf("the device cookie over HTTPS, as a trusted proxy says: %+v", c)
	}
	if c := deviceCookie(t, s.loginWith(t, "walt@breakingbad.com", "wrong", "").expect(t, http.StatusUnauthorized)); c != nil {
		t.Errorf("a failed login set a device cookie: %+v", c)
	}
	s.req(t, "POST", "/api/chirps", map[string]string{"body": "hi"}, bearer(c.Value)...).expect(t, http.StatusUnauthorized)
	s.req(t, "POST", "/api/refresh", nil, bearer(c.Value)...).expect(t, http.StatusUnauthorized)
}

// With its device cookie the owner logs in while the account is locked out
// by guesses from many clients; without it, or with another account's, a
// tampered one or an access token in its place, the login is refused. The
// cookie has limits of its own: past 5 attempts a minute it is refused too.
func TestDeviceCookieLetsTheOwnerPastTheLockout(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"LOGIN_LIMIT_PER_CLIENT": "4"})
	owner := s.from("127.0.0.2")
	first := owner.signUpWithCookie(t, "walt@breakingbad.com", "123456")
	walt := deviceCookie(t, first).Value
	access := decode[userJSON](t, first).Token
	saul := deviceCookie(t, s.signUpWithCookie(t, "saul@bettercall.com", "654321")).Value

	s.lockOut(t, "walt@breakingbad.com")
	tampered := []byte(walt)
	tampered[5] ^= 1
	for name, device := range map[string]string{
		"no cookie": "", "another account's": saul, "a tampered one": string(tampered), "an access token": access,
	} {
		if st := owner.loginWith(t, "walt@breakingbad.com", "123456", device).Status; st != http.StatusTooManyRequests {
			t.Errorf("the locked account, with %s: %d, want 429", name, st)
		}
	}
	again := owner.loginWith(t, "walt@breakingbad.com", "123456", walt).expect(t, http.StatusOK)
	fresh := deviceCookie(t, again)
	if fresh == nil || fresh.Value == walt {
		t.Fatalf("a login with a device cookie got no new one: %+v", fresh)
	}

	// A stolen cookie guesses 5 times a minute, then it is locked out too.
	for i := 1; i <= 5; i++ {
		if st := s.from("127.0.0.99").loginWith(t, "walt@breakingbad.com", "guess", fresh.Value).Status; st != http.StatusUnauthorized {
			t.Fatalf("guess %d with the cookie: %d, want 401", i, st)
		}
	}
	if st := owner.loginWith(t, "walt@breakingbad.com", "123456", fresh.Value).Status; st != http.StatusTooManyRequests {
		t.Fatalf("the cookie after 5 failures: %d, want 429", st)
	}
	if st := owner.loginWith(t, "walt@breakingbad.com", "123456", walt).Status; st != http.StatusOK {
		t.Fatalf("another of the owner's cookies: %d, want 200", st)
	}
}

// A new password retires the account's device cookies: whoever logged in
// with the old one (a thief, until the owner changed it) is no longer let
// past the lockout; a cookie from a login since is.
func TestDeviceCookieRetiredByANewPassword(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"LOGIN_LIMIT_PER_CLIENT": "4"})
	owner := s.from("127.0.0.2")
	first := owner.signUpWithCookie(t, "walt@breakingbad.com", "123456")
	old := deviceCookie(t, first).Value
	owner.req(t, "PUT", "/api/users", map[string]string{"email": "walt@breakingbad.com", "password": "heisenberg"},
		bearer(decode[userJSON](t, first).Token)...).expect(t, http.StatusOK)
	current := deviceCookie(t, owner.loginWith(t, "walt@breakingbad.com", "heisenberg", old).expect(t, http.StatusOK)).Value

	s.lockOut(t, "walt@breakingbad.com")
	if st := owner.loginWith(t, "walt@breakingbad.com", "heisenberg", old).Status; st != http.StatusTooManyRequests {
		t.Fatalf("the locked account, with a cookie from before the new password: %d, want 429", st)
	}
	owner.loginWith(t, "walt@breakingbad.com", "heisenberg", current).expect(t, http.StatusOK)
}
