// Chirpy's web client: plain JavaScript, no framework, no build step, the
// public API only. Text from the API is inserted with textContent, never as
// HTML; the page's Content-Security-Policy forbids inline and eval'd script.
'use strict';

const MAX = 140; // characters as the server counts them: Unicode code points
const PAGE = 20; // chirps per page of the timeline
// The refresh token is kept in localStorage, so that a reload stays signed
// in: the API takes it as a Bearer header (it cannot be an HttpOnly cookie).
// The access token lives in memory only, for the life of the page.
const STORE = 'chirpy.session';

const $ = (id) => document.getElementById(id);

let access = null; // the access token
let session = null; // {refreshToken, id, email, isRed}, mirrored in localStorage
let chirps = []; // the chirps shown, in order
let view = { author: null, next: null, gen: 0 };
let refreshing = null; // the refresh in flight, shared by whoever needs it
let signUpAttempt = null; // {body, key}: a retry of the same sign-up reuses its key
let chirpAttempt = null; // {body, key}: likewise for a chirp

class APIError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

// newKey makes an Idempotency-Key. crypto.randomUUID needs a secure context
// (https or localhost); getRandomValues does not.
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function length(text) {
  return [...text].length;
}

// ---- the API

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

// api sends a request; with auth, as the signed-in user. An access token
// that has expired (401) is refreshed once and the request sent once more.
async function api(method, path, { body, auth = false, key } = {}) {
  const headers = () => {
    const h = {};
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (auth) h.Authorization = 'Bearer ' + access;
    if (key) h['Idempotency-Key'] = key;
    return h;
  };
  if (auth && !access) await refresh();
  let res = await send(method, path, body, headers());
  if (res.status === 401 && auth) {
    await refresh();
    res = await send(method, path, body, headers());
  }
  if (!res.ok) throw await failure(res);
  return res;
}

// refresh gets a new access token with the refresh token. When the server
// refuses the refresh token, the session is over: the user is signed out.
function refresh() {
  refreshing ??= (async () => {
    try {
      if (!session) throw new APIError('You are not signed in; log in first.', 401);
      const auth = { Authorization: 'Bearer ' + session.refreshToken };
      const res = await send('POST', '/api/refresh', undefined, auth);
      if (!res.ok) {
        const err = await failure(res);
        if (res.status === 401) signedOut('Signed out: ' + err.message);
        throw err;
      }
      access = (await res.json()).token;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

// ---- the session

function loadSession() {
  try {
    const s = JSON.parse(localStorage.getItem(STORE));
    if (s && typeof s.refreshToken === 'string' && typeof s.id === 'string') return s;
  } catch {
    // unreadable: forgotten below
  }
  localStorage.removeItem(STORE);
  return null;
}

function saveSession() {
  localStorage.setItem(STORE, JSON.stringify(session));
}

async function logIn(email, password) {
  const res = await api('POST', '/api/login', { body: { email, password } });
  const u = await res.json();
  access = u.token;
  session = { refreshToken: u.refresh_token, id: u.id, email: u.email, isRed: u.is_chirpy_red === true };
  saveSession();
  $('password').value = '';
  showSession();
  $('new-chirp').focus();
}

async function signUp(email, password) {
  const body = { email, password };
  const same = signUpAttempt && signUpAttempt.body.email === email && signUpAttempt.body.password === password;
  if (!same) signUpAttempt = { body, key: newKey() };
  await api('POST', '/api/users', { body, key: signUpAttempt.key });
  signUpAttempt = null;
  await logIn(email, password);
}

async function logOut() {
  const auth = { Authorization: 'Bearer ' + session.refreshToken };
  const res = await send('POST', '/api/revoke', undefined, auth);
  // 401: the token no longer works anyway, which is what logging out wants.
  if (!res.ok && res.status !== 401) throw await failure(res);
  signedOut('');
}

function signedOut(message) {
  access = null;
  session = null;
  localStorage.removeItem(STORE);
  showSession();
  $('auth-error').textContent = message;
  $('email').focus();
}

function showSession() {
  const on = session !== null;
  $('auth-form').hidden = on;
  $('session').hidden = !on;
  $('composer').hidden = !on;
  $('me').textContent = on ? session.email : '';
  $('red').hidden = !(on && session.isRed);
  for (const id of ['auth-error', 'session-error', 'chirp-error']) $(id).textContent = '';
  redraw();
}

// ---- the timeline

async function showTimeline(author) {
  view = { author, next: null, gen: view.gen + 1 };
  chirps = [];
  $('timeline').replaceChildren();
  $('all-chirps').hidden = !author;
  let title = 'Latest chirps';
  if (author) title = session && author === session.id ? 'Your chirps' : `Chirps by ${short(author)}`;
  $('timeline-title').textContent = title;
  const q = new URLSearchParams({ sort: 'desc', limit: String(PAGE) });
  if (author) q.set('author_id', author);
  await loadPage('/api/chirps?' + q);
}

async function loadPage(url) {
  const gen = view.gen;
  $('timeline-error').textContent = '';
  try {
    const res = await api('GET', url);
    const page = await res.json();
    if (gen !== view.gen) return; // another view was asked for meanwhile
    for (const c of page) {
      chirps.push(c);
      $('timeline').append(article(c));
    }
    view.next = nextLink(res.headers.get('Link'));
  } catch (err) {
    if (gen === view.gen) $('timeline-error').textContent = err.message;
  }
  $('older').hidden = !view.next;
  $('timeline-empty').hidden = chirps.length > 0;
}

// nextLink reads the URL of rel="next" from a Link header, if it is ours.
function nextLink(header) {
  for (const part of (header || '').split(',')) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel="?next"?\s*(;|$)/.test(m[2])) {
      const u = new URL(m[1], location.href);
      return u.origin === location.origin ? u.pathname + u.search : null;
    }
  }
  return null;
}

function short(id) {
  return id.slice(0, 8);
}

function redraw() {
  $('timeline').replaceChildren(...chirps.map(article));
  $('timeline-empty').hidden = chirps.length > 0;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(text, className, onClick) {
  const b = el('button', className, text);
  b.type = 'button';
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

function alertBox() {
  const p = el('p', 'error');
  p.setAttribute('role', 'alert');
  return p;
}

// article is one chirp: its text, its author (a button that shows only
// theirs), its time, and on the user's own chirps Edit and Delete.
function article(c) {
  const a = el('article', 'chirp');
  a.dataset.id = c.id;
  const mine = session !== null && c.user_id === session.id;
  const body = el('p', 'body', c.body);
  const meta = el('footer');
  const who = button(mine ? 'by you' : `by ${short(c.user_id)}`, 'author', () =>
    showTimeline(c.user_id).then(() => $('timeline-title').focus()),
  );
  who.title = "Show this author's chirps";
  const when = el('time', '', new Date(c.created_at).toLocaleString());
  when.dateTime = c.created_at;
  meta.append(who, when);
  if (c.updated_at !== c.created_at) meta.append(el('span', '', '(edited)'));
  const problem = alertBox();
  if (mine) {
    const edit = button('Edit', 'edit', () => openEditor(c, a, body, problem));
    const del = button('Delete', 'delete', () => busy(del, () => remove(c, a, problem)));
    meta.append(edit, del);
  }
  a.append(body, meta, problem);
  return a;
}

async function remove(c, a, problem) {
  problem.textContent = '';
  try {
    await api('DELETE', '/api/chirps/' + c.id, { auth: true });
  } catch (err) {
    problem.textContent = err.message;
    return;
  }
  chirps = chirps.filter((x) => x.id !== c.id);
  a.remove();
  $('timeline-empty').hidden = chirps.length > 0;
  $('timeline-title').focus();
}

// openEditor puts an editor in place of the chirp's text. Whether the user
// may edit (a Chirpy Red member) is the server's to say: the login's
// is_chirpy_red can be stale (a membership bought since), so the edit is
// tried, and a refusal shown in the server's words.
function openEditor(c, a, body, problem) {
  if (a.querySelector('form')) return;
  const form = el('form', 'editor');
  const id = 'edit-' + c.id;
  const label = el('label', '', 'Edit chirp');
  label.htmlFor = id;
  const area = el('textarea');
  area.id = id;
  area.rows = 3;
  area.value = c.body;
  const left = el('span', 'count');
  left.setAttribute('aria-live', 'polite');
  const save = el('button', '', 'Save');
  save.type = 'submit';
  const cancel = button('Cancel', 'plain', () => {
    form.replaceWith(body);
    problem.textContent = '';
    a.querySelector('.edit').focus();
  });
  const buttons = el('div', 'buttons');
  buttons.append(save, cancel, left);
  form.append(label, area, buttons);
  const counted = () => counter(area, left, save);
  area.addEventListener('input', counted);
  counted();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(save, async () => {
      problem.textContent = '';
      try {
        const res = await api('PUT', '/api/chirps/' + c.id, { body: { body: area.value }, auth: true });
        const updated = await res.json();
        if (!session.isRed) {
          session.isRed = true; // the server let a member's perk through
          saveSession();
          $('red').hidden = false;
        }
        chirps = chirps.map((x) => (x.id === updated.id ? updated : x));
        const fresh = article(updated);
        a.replaceWith(fresh);
        fresh.querySelector('.edit').focus();
      } catch (err) {
        problem.textContent = err.message;
      }
    }, counted);
  });
  body.replaceWith(form);
  area.focus();
}

// counter shows how many characters are left and refuses (disables the
// button) past MAX, or when there is nothing to send.
function counter(area, out, btn) {
  const n = length(area.value);
  const left = MAX - n;
  if (left >= 0) {
    out.textContent = `${left} character${left === 1 ? '' : 's'} left`;
  } else {
    out.textContent = `${-left} too many: a chirp is at most ${MAX} characters`;
  }
  out.classList.toggle('over', left < 0);
  btn.disabled = left < 0 || n === 0;
}

// busy disables btn while fn runs (no double submissions); after is run
// once it is done, to set the button's state again.
async function busy(btn, fn, after) {
  btn.disabled = true;
  try {
    await fn();
  } finally {
    btn.disabled = false;
    if (after) after();
  }
}

// ---- the composer

async function postChirp() {
  const text = $('new-chirp').value;
  if (length(text) > MAX) {
    $('chirp-error').textContent = `A chirp is at most ${MAX} characters.`;
    return;
  }
  $('chirp-error').textContent = '';
  if (!chirpAttempt || chirpAttempt.body !== text) chirpAttempt = { body: text, key: newKey() };
  try {
    const res = await api('POST', '/api/chirps', { body: { body: text }, auth: true, key: chirpAttempt.key });
    const c = await res.json();
    chirpAttempt = null;
    $('new-chirp').value = '';
    if (!view.author || view.author === c.user_id) {
      chirps.unshift(c);
      $('timeline').prepend(article(c));
      $('timeline-empty').hidden = true;
    }
  } catch (err) {
    $('chirp-error').textContent = err.message;
  }
}

// ---- wiring

function wire() {
  const form = $('auth-form');
  const creds = () => [$('email').value.trim(), $('password').value];
  const attempt = (btn, fn) =>
    busy(btn, async () => {
      $('auth-error').textContent = '';
      try {
        await fn(...creds());
      } catch (err) {
        $('auth-error').textContent = err.message;
      }
    });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    attempt($('login'), logIn);
  });
  $('signup').addEventListener('click', () => attempt($('signup'), signUp));
  $('logout').addEventListener('click', () =>
    busy($('logout'), async () => {
      $('session-error').textContent = '';
      try {
        await logOut();
      } catch (err) {
        $('session-error').textContent = err.message;
      }
    }),
  );
  const area = $('new-chirp');
  const counted = () => counter(area, $('chirp-count'), $('chirp'));
  area.addEventListener('input', counted);
  counted();
  $('chirp-form').addEventListener('submit', (e) => {
    e.preventDefault();
    busy($('chirp'), postChirp, counted);
  });
  $('older').addEventListener('click', () => busy($('older'), () => loadPage(view.next)));
  $('all-chirps').addEventListener('click', () => showTimeline(null).then(() => $('timeline-title').focus()));
}

async function start() {
  wire();
  session = loadSession();
  showSession();
  if (session) {
    // A reload: a fresh access token from the kept refresh token.
    refresh().catch((err) => {
      if (session) $('session-error').textContent = err.message;
    });
  }
  await showTimeline(null);
}

start();
