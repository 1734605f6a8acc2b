// Chirpy's web client: plain JavaScript, no framework, no build step, the
// public API only (api.js). Text from the API is inserted with textContent,
// never as HTML; the page's Content-Security-Policy forbids inline and
// eval'd script.
import * as chirpy from './api.js';

const MAX = 140; // characters as the server counts them: Unicode code points
const PAGE = 20; // chirps per page of the timeline

const $ = (id) => document.getElementById(id);

let chirps = []; // the chirps shown, in order
let view = { author: null, next: null, gen: 0, loaded: false }; // loaded: a page of it came
let signUpAttempt = null; // {body, key}: a retry of the same sign-up reuses its key
// The keys of chirps tried and not known to be posted, by text: trying a text
// again, even after another, is a retry of that submission, with its key.
const chirpKeys = new Map();

function length(text) {
  return [...text].length;
}

// ---- the session

async function logIn(email, password) {
  await chirpy.logIn(email, password);
  $('password').value = '';
  showSession();
  $('new-chirp').focus();
}

async function signUp(email, password) {
  const body = { email, password };
  const same = signUpAttempt && signUpAttempt.body.email === email && signUpAttempt.body.password === password;
  if (!same) signUpAttempt = { body, key: chirpy.newKey() };
  await chirpy.api('POST', '/api/users', { body, key: signUpAttempt.key });
  signUpAttempt = null;
  await logIn(email, password);
}

// logOut signs the user out of this page even when the revoke fails (then
// said), and forgets what they were writing, so the next user of this browser
// finds nothing of theirs.
async function logOut() {
  let problem = '';
  try {
    await chirpy.logOut();
  } catch (err) {
    problem = `Signed out here, but the server could not revoke the session: ${err.message}`;
  }
  chirpKeys.clear();
  signUpAttempt = null;
  $('new-chirp').value = '';
  $('new-chirp').dispatchEvent(new Event('input')); // the count, again
  signedOut(problem);
}

// signedOut shows the page of a visitor, with message (why) if any.
function signedOut(message) {
  showSession();
  $('auth-error').textContent = message;
  $('email').focus();
}

function showSession() {
  const me = chirpy.current();
  const on = me !== null;
  $('auth-form').hidden = on;
  $('session').hidden = !on;
  $('composer').hidden = !on;
  $('me').textContent = on ? me.email : '';
  showMembership();
  for (const id of ['auth-error', 'session-error', 'chirp-error']) $(id).textContent = '';
  redraw();
}

// showMembership marks a Chirpy Red member as the session says.
function showMembership() {
  $('red').hidden = !chirpy.current()?.isRed;
}

// ---- the timeline

async function showTimeline(author) {
  view = { author, next: null, gen: view.gen + 1, loaded: false };
  chirps = [];
  $('timeline').replaceChildren();
  $('all-chirps').hidden = !author;
  let title = 'Latest chirps';
  if (author) title = author === chirpy.current()?.id ? 'Your chirps' : `Chirps by ${short(author)}`;
  $('timeline-title').textContent = title;
  const q = new URLSearchParams({ sort: 'desc', limit: String(PAGE) });
  if (author) q.set('author_id', author);
  await loadPage('/api/chirps?' + q);
}

async function loadPage(url) {
  const gen = view.gen;
  $('timeline-error').textContent = '';
  try {
    const res = await chirpy.api('GET', url);
    const page = await chirpy.json(res);
    if (gen !== view.gen) return; // another view was asked for meanwhile
    for (const c of page) {
      chirps.push(c);
      $('timeline').append(article(c));
    }
    view.next = nextLink(res.headers.get('Link'));
    view.loaded = true;
  } catch (err) {
    if (gen === view.gen) $('timeline-error').textContent = err.message;
  }
  $('older').hidden = !view.next;
  showIfEmpty();
}

// showIfEmpty says that there are no chirps only once the server has said
// so: not before the first page came, nor when it could not be loaded.
function showIfEmpty() {
  $('timeline-empty').hidden = !view.loaded || chirps.length > 0;
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
  showIfEmpty();
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
  a.tabIndex = -1; // focusable by the page (after a delete), not a Tab stop
  const mine = c.user_id === chirpy.current()?.id;
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
    await chirpy.api('DELETE', '/api/chirps/' + c.id, { auth: true });
  } catch (err) {
    problem.textContent = err.message;
    return;
  }
  chirps = chirps.filter((x) => x.id !== c.id);
  // Focus stays where the user was reading: the chirp that takes its place
  // (so deleting several in a row needs no walk back down), else the heading.
  const near = a.nextElementSibling ?? a.previousElementSibling;
  a.remove();
  showIfEmpty();
  (near ?? $('timeline-title')).focus();
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
        const res = await chirpy.api('PUT', '/api/chirps/' + c.id, { body: { body: area.value }, auth: true });
        const updated = await chirpy.json(res);
        chirpy.isMember();
        showMembership();
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

// busy disables btn (a button, or a list of them) while fn runs (no double
// submissions); after is run once it is done, to set their state again.
async function busy(btn, fn, after) {
  const btns = [btn].flat();
  for (const b of btns) b.disabled = true;
  try {
    await fn();
  } finally {
    for (const b of btns) b.disabled = false;
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
  if (!chirpKeys.has(text)) chirpKeys.set(text, chirpy.newKey());
  try {
    const res = await chirpy.api('POST', '/api/chirps', { body: { body: text }, auth: true, key: chirpKeys.get(text) });
    const c = await chirpy.json(res);
    chirpKeys.clear(); // posted: the next chirp, of whatever text, is a new submission
    // What was typed while the chirp was on its way is the next draft.
    if ($('new-chirp').value === text) $('new-chirp').value = '';
    if (!view.author || view.author === c.user_id) {
      chirps.unshift(c);
      $('timeline').prepend(article(c));
      showIfEmpty();
    }
  } catch (err) {
    $('chirp-error').textContent = err.message;
  }
}

// ---- wiring

function wire() {
  const form = $('auth-form');
  const creds = () => [$('email').value.trim(), $('password').value];
  // One account request at a time: Enter (Log in) and Sign up wait for it.
  const attempt = (fn) =>
    busy([$('login'), $('signup')], async () => {
      $('auth-error').textContent = '';
      try {
        await fn(...creds());
      } catch (err) {
        $('auth-error').textContent = err.message;
      }
    });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    attempt(logIn);
  });
  $('signup').addEventListener('click', () => attempt(signUp));
  $('logout').addEventListener('click', () => busy($('logout'), logOut));
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
  chirpy.whenEnded(signedOut);
  const me = chirpy.restore();
  showSession();
  if (me) {
    // A reload: a fresh access token from the kept refresh token.
    chirpy.refresh().catch((err) => {
      if (chirpy.current()) $('session-error').textContent = err.message;
    });
  }
  await showTimeline(null);
}

start();
