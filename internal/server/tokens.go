package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"chirpy/internal/auth"
	"chirpy/internal/store"
)

// errBadLogin is the same for an unknown email and a wrong password, so the
// answer does not tell which emails have accounts.
var errBadLogin = &Error{Status: http.StatusUnauthorized, Message: "Incorrect email or password"}

type loginResponse struct {
	User
	Token        string `json:"token"`
	RefreshToken string `json:"refresh_token"`
}

func tooManyLogins(retryAfter time.Duration) *Error {
	secs := int(retryAfter.Round(time.Second) / time.Second)
	return &Error{
		Status:  http.StatusTooManyRequests,
		Message: fmt.Sprintf("Too many failed logins; try again in %d seconds", secs),
		Header:  http.Header{"Retry-After": {strconv.Itoa(max(secs, 1))}},
	}
}

// login is what POST /api/login needs.
type login struct {
	st      *store.Store
	hasher  *auth.Hasher
	secret  []byte
	limits  auth.LoginLimits
	proxies []netip.Prefix // whose X-Forwarded-For is believed
	bodies  *bodies
	metrics *Metrics
}

func handleLogin(l login) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// Extra fields such as expires_in_seconds are ignored: access tokens
		// always live for auth.AccessTokenTTL.
		var req credentials
		if _, err := l.bodies.readJSON(w, r, &req, maxCredentialsBytes); err != nil {
			return err
		}
		if err := auth.CheckLogin(req.Email, req.Password); err != nil {
			return err
		}
		if !auth.PlausibleEmail(req.Email) {
			// No account can have it: sign-up refuses such addresses.
			return errBadLogin
		}
		keys := auth.KeysOf(req.Email, clientAddr(r, l.proxies))
		// A device token this server issued to the email's account (OWASP's
		// device cookies) lets the login past the account's lockout and
		// ahead of the hash queue. Only then is the account looked up first;
		// any other cookie is no cookie.
		var u store.User
		var found bool
		var err error
		d, hasDevice := l.device(r)
		if hasDevice {
			if u, found, err = userByEmail(r.Context(), l.st, req.Email); err != nil {
				return err
			}
			// A token issued before the password last changed is no longer
			// the account's. IssuedTo runs whether or not the email was
			// found, so that its work does not tell which emails exist.
			if d.IssuedTo(u.ID, u.HashedPassword, l.secret) && found {
				keys.Device = d.Key
			}
		}
		// Counted before the password is checked, in the database, so that
		// concurrent guesses and other server processes count too. If the
		// count cannot be kept, the login fails (503): the throttle fails
		// closed.
		ok, wait, err := l.limits.Check(r.Context(), l.st, keys)
		if err != nil {
			return err
		}
		if !ok {
			l.metrics.loginThrottled()
			return tooManyLogins(wait)
		}
		if !hasDevice {
			if u, found, err = userByEmail(r.Context(), l.st, req.Email); err != nil {
				return err
			}
		}
		if ok, err = checkPassword(r.Context(), l.hasher, req.Password, u, found, keys.Device != ""); err != nil {
			return err
		}
		if !ok {
			return errBadLogin
		}
		// A success clears the count of its email from its client.
		if err := l.st.ClearLoginAttempts(r.Context(), keys.Email); err != nil {
			return err
		}

		access, err := auth.MakeJWT(u.ID, l.secret, auth.AccessTokenTTL)
		if err != nil {
			return err
		}
		refresh := auth.MakeRefreshToken()
		err = l.st.CreateRefreshToken(r.Context(), auth.HashRefreshToken(refresh), u.ID, time.Now().Add(auth.RefreshTokenTTL))
		if errors.Is(err, store.ErrNotFound) {
			// The account was deleted while its password was being checked.
			return errBadLogin
		}
		if err != nil {
			return err
		}
		device, err := auth.MakeDeviceToken(u.ID, u.HashedPassword, l.secret, time.Now())
		if err != nil {
			return err
		}
		http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: device, Path: "/api/login",
			MaxAge: int(auth.DeviceTokenTTL / time.Second), HttpOnly: true, SameSite: http.SameSiteStrictMode,
			Secure: overHTTPS(r, l.proxies)})
		writePrivateJSON(w, http.StatusOK, loginResponse{User: newUser(u), Token: access, RefreshToken: refresh})
		return nil
	}
}

// deviceCookie carries a device token, sent back only to POST /api/login.
const deviceCookie = "chirpy_device"

// device returns what the request's device cookie says, if it holds a valid
// device token.
func (l login) device(r *http.Request) (auth.Device, bool) {
	c, err := r.Cookie(deviceCookie)
	if err != nil {
		return auth.Device{}, false
	}
	return auth.ParseDeviceToken(c.Value, l.secret, time.Now())
}

func userByEmail(ctx context.Context, st *store.Store, email string) (store.User, bool, error) {
	u, err := st.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return u, false, nil
	}
	return u, err == nil, err
}

// checkPassword reports whether password is the account's; for a returning
// user (first), ahead of the queue. An unknown email costs one hash too, so
// response times do not tell which emails have accounts.
func checkPassword(ctx context.Context, hasher *auth.Hasher, password string, u store.User, found, first bool) (bool, error) {
	switch {
	case !found:
		return false, hasher.CheckDecoy(ctx, password)
	case first:
		return hasher.CheckFirst(ctx, password, u.HashedPassword)
	default:
		return hasher.Check(ctx, password, u.HashedPassword)
	}
}

type refreshResponse struct {
	Token string `json:"token"`
}

func handleRefresh(st *store.Store, secret []byte) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, err := auth.GetBearerToken(r.Header)
		if err != nil {
			return unauthorized("Bearer", "Send a refresh token in the Authorization header: Bearer TOKEN")
		}
		userID, err := st.RefreshTokenUser(r.Context(), auth.HashRefreshToken(token))
		if errors.Is(err, store.ErrNotFound) {
			return unauthorized(`Bearer error="invalid_token"`, "Invalid, expired or revoked refresh token")
		}
		if err != nil {
			return err
		}
		access, err := auth.MakeJWT(userID, secret, auth.AccessTokenTTL)
		if err != nil {
			return err
		}
		writePrivateJSON(w, http.StatusOK, refreshResponse{Token: access})
		return nil
	}
}

func handleRevoke(st *store.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, err := auth.GetBearerToken(r.Header)
		if err != nil {
			return unauthorized("Bearer", "Send the refresh token to revoke in the Authorization header: Bearer TOKEN")
		}
		// Unknown and already revoked tokens are answered the same way: the
		// token does not work afterwards either way.
		if err := st.RevokeRefreshToken(r.Context(), auth.HashRefreshToken(token)); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
