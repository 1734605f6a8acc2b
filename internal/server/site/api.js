// The web client's side of Chirpy's API: requests, errors in the API's own
// words, and the session (the tokens). app.js is the page that uses it.

// The refresh token is kept in localStorage, so that a reload stays signed
// in: the API takes it as a Bearer header, so it cannot be an HttpOnly
// cookie. The access token lives in memory only, for the life of the page.
// See docs/web-client.md.
const STORE = 'chirpy.session';

let access = null; // the access token
let session = null; // {refreshToken, id, email, isRed}, mirrored in localStorage
let refreshing = null; // the refresh in flight, shared by whoever needs it
let ended = () => {}; // told when the server ends the session

export class APIError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

// newKey makes an Idempotency-Key. crypto.randomUUID needs a secure context
// (https or localhost); getRandomValues does not.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function send(method, path, body, headers) {
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new APIError('Chirpy cannot be reached; try again.', 0);
  }
}

// failure turns an answer that is not 2xx into an error in the API's words.
async function failure(res) {
  let msg = '';
  try {
    msg = (await res.json()).error;
  } catch {
    // not JSON: said below
  }
  if (typeof msg !== 'string' || msg === '') {
    msg = `The server answered ${res.status} ${res.statusText}`.trim();
  }
  return new APIError(msg, res.status);
}

// json reads the JSON of an answer. A 2xx that is not JSON is not the API's
// (a captive portal's page, a proxy's): an error in words, not the parser's.
export async function json(res) {
  try {
    return await res.json();
  } catch {
    throw new APIError("The server's answer could not be read; try again.", res.status);
  }
}

// api sends a request; with auth, as the signed-in user. An access token
// that has expired (401) is refreshed and the request sent once more, with
// the same Idempotency-Key; at most one refresh per request, so a token
// refused just after its refresh is an error, not a loop.
export async function api(method, path, { body, auth = false, key } = {}) {
  const headers = () => {
    const h = {};
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (auth) h.Authorization = 'Bearer ' + access;
    if (key) h['Idempotency-Key'] = key;
    return h;
  };
  const fresh = auth && !access;
  if (fresh) await refresh();
  let res = await send(method, path, body, headers());
  if (res.status === 401 && auth && !fresh) {
    await refresh();
    res = await send(method, path, body, headers());
  }
  if (!res.ok) throw await failure(res);
  return res;
}

// refresh gets a new access token with the refresh token. When the server
// refuses the refresh token, the session is over: it is forgotten, and the
// page told (whenEnded).
export function refresh() {
  refreshing ??= (async () => {
    try {
      if (!session) throw new APIError('You are not signed in; log in first.', 401);
      const res = await send('POST', '/api/refresh', undefined, { Authorization: 'Bearer ' + session.refreshToken });
      if (!res.ok) {
        const err = await failure(res);
        if (res.status === 401) {
          forget();
          ended('Signed out: ' + err.message);
        }
        throw err;
      }
      access = (await json(res)).token;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

// whenEnded sets what is told, with a message, when the server ends the session.
export function whenEnded(fn) {
  ended = fn;
}

// current is the signed-in user ({id, email, isRed}), or null.
export function current() {
  return session && { id: session.id, email: session.email, isRed: session.isRed };
}

// restore takes up the session a reload left; the caller refreshes it.
export function restore() {
  try {
    const s = JSON.parse(localStorage.getItem(STORE));
    if (s && typeof s.refreshToken === 'string' && typeof s.id === 'string') {
      session = s;
      return current();
    }
  } catch {
    // unreadable: forgotten below
  }
  forget();
  return null;
}

// save mirrors the session in localStorage, for the next load (restore).
function save() {
  localStorage.setItem(STORE, JSON.stringify(session));
}

function forget() {
  access = null;
  session = null;
  localStorage.removeItem(STORE);
}

export async function logIn(email, password) {
  const res = await api('POST', '/api/login', { body: { email, password } });
  const u = await json(res);
  access = u.token;
  session = { refreshToken: u.refresh_token, id: u.id, email: u.email, isRed: u.is_chirpy_red === true };
  save();
}

// logOut forgets both tokens, then revokes the refresh token. The user asked
// to be signed out, so this browser forgets them whatever the server answers;
// a revoke that failed is thrown after, for the page to say that the token
// may still work elsewhere until it expires.
export async function logOut() {
  const token = session?.refreshToken;
  forget();
  if (!token) return;
  const res = await send('POST', '/api/revoke', undefined, { Authorization: 'Bearer ' + token });
  // 401: the token no longer works anyway, which is what logging out wants.
  if (!res.ok && res.status !== 401) throw await failure(res);
}

// isMember records that the server let a members' perk through: the login's
// is_chirpy_red is older than the webhook that made the user a member.
export function isMember() {
  if (session && !session.isRed) {
    session.isRed = true;
    save();
  }
}
