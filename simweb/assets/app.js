// The page of `kept sim`: a small Slack client for the simulated
// workspace. The server draws Block Kit as HTML for whoever is looking;
// this script lays out the workspace, keeps it fresh (server-sent events)
// and turns clicks, menus, forms and the composer into simulator calls.
'use strict';

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

const ui = {
  as: '', conv: '', tab: 'messages',
  data: null,
  seen: {},        // person -> conv -> messages seen, for unread marks
  notices: {},     // person/conv -> Slackbot notes shown only here
  modalKey: '',    // id/hash of the modal on screen
  homeHTML: '',
  popup: null,     // composer completions: {items, index, apply}
  thread: null,    // {conv, ts} while replying in a thread
  clockShown: '',  // what the "move to" field last showed of the clock
};

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  ui.as = h.get('as') || ui.as;
  ui.conv = h.get('conv') || ui.conv;
  ui.tab = h.get('tab') || ui.tab;
}

function writeHash() {
  const h = new URLSearchParams({as: ui.as, conv: ui.conv, tab: ui.tab});
  history.replaceState(null, '', '#' + h.toString());
}

async function api(path, body) {
  const res = await fetch(path, {
    method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(Object.assign({as: ui.as}, body)),
  });
  const out = await res.json();
  if (out.notice) notice(out.notice);
  if (out.error) notice('Something went wrong: ' + out.error);
  refresh();
  return out;
}

function notice(text) {
  const key = ui.as + '/' + ui.conv;
  (ui.notices[key] = ui.notices[key] || []).push({text, at: Date.now()});
  renderMessages();
}

// refresh fetches the state once at a time; changes during a fetch cause one more.
let fetching = false, again = false;
async function refresh() {
  if (fetching) { again = true; return; }
  fetching = true;
  try {
    const asked = {as: ui.as, conv: ui.conv, tab: ui.tab};
    const res = await fetch('/api/state?' + new URLSearchParams(asked).toString());
    const data = await res.json();
    // Navigation while the answer was on its way: it is stale, ask again.
    if (asked.as !== ui.as || asked.conv !== ui.conv || asked.tab !== ui.tab) {
      again = true;
    } else if (!data.error) {
      ui.data = data;
      ui.as = data.me.id;
      if (data.conv) ui.conv = data.conv.id;
      if (!data.conv || data.conv.kind !== 'app') ui.tab = 'messages';
      writeHash();
      render();
    }
    $('#offline').hidden = true;
  } catch (err) {
    $('#offline').hidden = false; // kept sim stopped, or is restarting
  } finally {
    fetching = false;
    if (again) { again = false; refresh(); }
  }
}

function render() {
  const d = ui.data;
  document.title = (d.conv ? (d.conv.kind === 'channel' ? '#' + d.conv.name : d.conv.name) + ' · ' : '') + d.workspace;
  $('#clock-text').textContent = d.clock.text;
  // The "move to" field follows the clock until someone edits it.
  const to = $('#clock-input');
  if (document.activeElement !== to && (to.value === ui.clockShown || !to.value)) to.value = d.clock.input;
  ui.clockShown = d.clock.input;
  setHTML($('#who-button'), avatar(d.me) + '<span class="who-name">' + esc(d.me.real_name) + '</span><span class="who-role">' + esc(d.me.role) + '</span><span class="s-caret">⌄</span>');
  setHTML($('#team'), '<div class="team-name">' + esc(d.workspace) + '</div><div class="team-sub">' + esc(d.me.real_name) + ' · ' + esc(d.me.tz) + '</div>');
  renderSidebar();
  renderHead();
  renderMessages();
  renderHome();
  renderModal();
  renderComposerHint();
}

// setHTML redraws el only when its content changes, so that a refresh
// never swaps a button out from under a click.
function setHTML(el, html) {
  if (el.dataset.drawn === html) return;
  el.dataset.drawn = html;
  el.innerHTML = html;
}

function esc(s) {
  return String(s == null ? '' : s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
}

function avatar(p) {
  return '<span class="avatar small" style="background:' + esc(p.color) + '">' + esc((p.real_name || p.name || '?')[0].toUpperCase()) + '</span>';
}

function seenFor(conv) {
  const s = ui.seen[ui.as] = ui.seen[ui.as] || {};
  return s[conv] || 0;
}

function renderSidebar() {
  const d = ui.data;
  syncList($('#channel-list'), d.channels);
  syncList($('#app-list'), d.apps);
  $('#apps-section').hidden = d.apps.length === 0;
}

// syncList keeps one button per conversation and changes it in place, so
// that a badge appearing never replaces the button being clicked.
function syncList(ul, convs) {
  const have = new Map($$('button', ul).map(b => [b.dataset.conv, b]));
  convs.forEach((c, i) => {
    let b = have.get(c.id);
    if (!b) {
      const li = document.createElement('li');
      b = document.createElement('button');
      b.type = 'button';
      b.dataset.conv = c.id;
      li.appendChild(b);
    }
    have.delete(c.id);
    if (ul.children[i] !== b.parentElement) ul.insertBefore(b.parentElement, ul.children[i] || null);
    const unread = c.id === ui.conv ? 0 : c.count - seenFor(c.id);
    b.dataset.kind = c.kind;
    b.className = 'side-item' + (c.id === ui.conv ? ' active' : '') + (unread > 0 ? ' unread' : '');
    const label = c.kind === 'channel' ? '<span class="hash">' + (c.shared ? '⇄' : c.private ? '🔒' : '#') + '</span>' + esc(c.name) : '<span class="app-dot">✓</span>' + esc(c.name);
    setHTML(b, label + (unread > 0 ? '<span class="badge">' + unread + '</span>' : ''));
  });
  have.forEach(b => b.parentElement.remove());
}

function renderHead() {
  const c = ui.data.conv;
  if (!c) { setHTML($('#conv-head'), ''); return; }
  if (c.kind === 'channel') {
    const note = c.shared ? ' <span class="shared-note">shared with an external organisation</span>' : '';
    const kept = c.app_in ? '' : ' <span class="head-note">' + esc(ui.data.app) + ' is not in this channel</span>';
    setHTML($('#conv-head'), '<h1>' + (c.private ? '🔒 ' : '# ') + esc(c.name) + '</h1><span class="members">👤 ' + c.members + '</span>' + note + kept);
  } else {
    setHTML($('#conv-head'), '<h1><span class="app-dot big">✓</span>' + esc(c.name) + '</h1>');
  }
  const tabs = $('#tabs');
  tabs.hidden = c.kind !== 'app';
  $$('button', tabs).forEach(b => b.classList.toggle('active', b.dataset.tab === ui.tab));
  $('#messages').hidden = c.kind === 'app' && ui.tab !== 'messages';
  $('#home').hidden = !(c.kind === 'app' && ui.tab === 'home');
  $('#about').hidden = !(c.kind === 'app' && ui.tab === 'about');
  $('#composer-wrap').hidden = c.kind === 'app' && ui.tab !== 'messages';
  const input = $('#composer-input');
  input.placeholder = c.kind === 'app' ? 'Use a slash command, e.g. /promise help' : 'Message #' + c.name;
}

function renderMessages() {
  const box = $('#messages');
  const d = ui.data;
  if (!d || !d.conv) return;
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const want = d.messages.slice();
  const key = ui.as + '/' + ui.conv;
  (ui.notices[key] || []).forEach((n, i) => want.push({ts: 'notice-' + i, html: slackbot(n.text)}));
  const have = new Map($$(':scope > .msg', box).map(el => [el.dataset.ts, el]));
  let prev = null, added = false;
  for (const m of want) {
    let el = have.get(m.ts);
    if (!el || el.dataset.html !== m.html) {
      const t = document.createElement('template');
      t.innerHTML = m.html.trim();
      const fresh = t.content.firstElementChild;
      fresh.dataset.html = m.html;
      decorate(fresh);
      if (el) el.replaceWith(fresh); else added = true;
      el = fresh;
    }
    have.delete(m.ts);
    if (prev ? prev.nextElementSibling !== el : box.firstElementChild !== el) {
      if (prev) prev.after(el); else box.prepend(el);
    }
    prev = el;
  }
  have.forEach(el => el.remove());
  const empty = $('.empty', box);
  if (!want.length && !(empty && empty.dataset.conv === d.conv.id)) {
    box.innerHTML = '<div class="empty" data-conv="' + esc(d.conv.id) + '">' + (d.conv.kind === 'app'
      ? 'This is the very beginning of your direct messages with ' + esc(d.app) + '. Try <code>/promise help</code>.'
      : 'This is the very beginning of <b>#' + esc(d.conv.name) + '</b>.') + '</div>';
  } else if (want.length && empty) {
    empty.remove();
  }
  if (atBottom || added) box.scrollTop = box.scrollHeight;
  const s = ui.seen[ui.as] = ui.seen[ui.as] || {};
  s[d.conv.id] = d.conv.count;
}

function slackbot(text) {
  return '<div class="msg msg-ephemeral" data-ts="" data-user="USLACKBOT"><div class="msg-only-you"><span class="eye">👁</span> Only visible to you</div>' +
    '<div class="msg-row"><div class="avatar" style="background:#e8912d">S</div><div class="msg-main"><div class="msg-head"><span class="msg-name">Slackbot</span></div>' +
    '<div class="msg-body">' + esc(text) + '</div></div></div></div>';
}

// decorate adds the hover toolbar with the message shortcuts.
function decorate(el) {
  const d = ui.data;
  if (!el.dataset.ts || el.classList.contains('msg-ephemeral')) return;
  if (d.conv.kind !== 'channel' && !d.shortcuts.length) return;
  const bar = document.createElement('div');
  bar.className = 'msg-tools';
  const reply = el.classList.contains('msg-reply') || d.conv.kind !== 'channel' ? '' : '<button type="button" class="msg-thread" title="Reply in thread" aria-label="Reply in thread">💬</button>';
  bar.innerHTML = reply + '<button type="button" class="msg-more" title="More actions" aria-label="More actions">⋮</button>';
  el.appendChild(bar);
}

function renderHome() {
  const home = $('#home');
  const h = ui.data.home;
  if (!h) {
    if (!home.hidden && !ui.homeHTML) home.innerHTML = '<div class="empty">Loading the Home tab…</div>';
    return;
  }
  if (h.html !== ui.homeHTML) {
    ui.homeHTML = h.html;
    home.innerHTML = '<div class="surface" data-view="' + esc(h.id) + '">' + h.html + '</div>';
  }
  setHTML($('#about'), '<div class="surface about"><h2>' + esc(ui.data.app) + '</h2><p>Remembers what your team promised customers, and nudges when it is due.</p>' +
    '<h3>Slash commands</h3><ul>' + ui.data.commands.map(c => '<li><code>' + esc(c.Name) + '</code> ' + esc(c.Description) + '<br><span class="hint">' + esc(c.UsageHint) + '</span></li>').join('') + '</ul>' +
    '<h3>Shortcuts</h3><ul>' + ui.data.shortcuts.map(s => '<li><b>' + esc(s.Name) + '</b>: ' + esc(s.Description) + '</li>').join('') + '</ul></div>');
}

function renderModal() {
  const m = ui.data.modal;
  const layer = $('#modal-layer');
  if (!m) { layer.hidden = true; ui.modalKey = ''; return; }
  const key = m.id + '/' + m.hash;
  layer.hidden = false;
  if (key === ui.modalKey) return; // keep what is typed
  ui.modalKey = key;
  $('#modal').dataset.view = m.id;
  $('#modal-title').textContent = m.title;
  $('.modal-app').innerHTML = '<span class="app-dot">✓</span>';
  $('#modal-body').innerHTML = '<div class="surface" data-view="' + esc(m.id) + '">' + m.html + '</div>';
  $('.modal-close').textContent = m.close;
  const submit = $('.modal-submit');
  submit.textContent = m.submit;
  submit.hidden = !m.submit;
  const first = $('input, textarea', $('#modal-body'));
  if (first) first.focus();
}

// ---- Who you are, where you are, the clock

document.addEventListener('click', e => {
  const t = e.target.closest('button, a');
  if (!t) { closeMenu(); return; }
  if (t.closest('#menu')) return; // menu items handle themselves
  if (t.dataset.conv) {
    endThread();
    ui.conv = t.dataset.conv;
    ui.tab = t.dataset.kind === 'app' ? (ui.tab === 'home' ? 'home' : 'messages') : 'messages';
    ui.homeHTML = '';
    writeHash();
    if (ui.tab === 'home') api('/api/home', {}); else refresh();
    closeMenu();
    return;
  }
  if (t.dataset.tab) {
    ui.tab = t.dataset.tab;
    writeHash();
    renderHead();
    if (ui.tab === 'home') api('/api/home', {}); else refresh();
    return;
  }
  if (t.dataset.advance) { api('/api/clock', {advance: t.dataset.advance}); return; }
  if (t.id === 'who-button') { whoMenu(t); return; }
  if (t.classList.contains('msg-more')) { shortcutMenu(t); return; }
  if (t.classList.contains('msg-thread')) { startThread(t.closest('.msg')); return; }
  if (t.id === 'thread-cancel') { endThread(); return; }
  if (t.classList.contains('modal-x')) { closeModal(true); return; }
  if (t.classList.contains('modal-close')) { closeModal(false); return; }
  if (t.classList.contains('modal-submit')) { submitModal(); return; }
  if (t.classList.contains('s-btn')) { press(t, t.dataset.value); return; }
  if (t.classList.contains('s-select') || t.classList.contains('s-overflow')) { optionMenu(t); return; }
  closeMenu();
});

$('#clock-to').addEventListener('submit', e => {
  e.preventDefault();
  api('/api/clock', {to: $('#clock-input').value});
});

function whoMenu(anchor) {
  const d = ui.data;
  openMenu(anchor, d.people.map(p => ({
    html: avatar(p) + '<span class="menu-main"><b>' + esc(p.real_name) + '</b> <span class="menu-sub">@' + esc(p.name) + '</span><br><span class="menu-sub">' +
      esc(p.role) + (p.org ? ' · ' + esc(p.org) : '') + ' · ' + esc(p.tz) + ' · ' + esc(p.local) + '</span></span>',
    checked: p.id === d.me.id,
    pick: async () => {
      const onApp = d.conv && d.conv.kind === 'app';
      ui.as = p.id; ui.homeHTML = ''; ui.modalKey = '';
      if (onApp) ui.conv = '@app';
      await refresh();
      if (ui.tab === 'home' && ui.data.conv && ui.data.conv.kind === 'app') api('/api/home', {});
    },
  })), 'who-menu');
}

// A reply in a thread: the composer says where it goes until sent or cancelled.
function startThread(msg) {
  ui.thread = {conv: msg.dataset.channel, ts: msg.dataset.ts};
  const who = $('.msg-name', msg).textContent;
  $('#thread-note').hidden = false;
  $('#thread-who').textContent = who;
  input.focus();
}

function endThread() {
  ui.thread = null;
  $('#thread-note').hidden = true;
}

function shortcutMenu(anchor) {
  const msg = anchor.closest('.msg');
  const items = ui.data.shortcuts.map(s => ({
    html: '<span class="menu-main">' + esc(s.Name) + ' <span class="menu-sub">' + esc(ui.data.app) + '</span></span>',
    pick: () => api('/api/shortcut', {conv: msg.dataset.channel, ts: msg.dataset.ts, callback_id: s.CallbackID}),
  }));
  if (!items.length) items.push({html: '<span class="menu-sub">No shortcuts here</span>', pick: () => {}});
  openMenu(anchor, items, 'shortcut-menu');
}

// ---- Block Kit elements

// where an element is: a message (channel and ts) or a view.
function place(el) {
  const msg = el.closest('.msg');
  if (msg) return {conv: msg.dataset.channel, ts: msg.dataset.ts};
  const view = el.closest('[data-view]');
  return {view: view ? view.dataset.view : ''};
}

function press(el, value) {
  if (el.dataset.url) window.open(el.dataset.url, '_blank', 'noopener');
  el.classList.add('busy');
  api('/api/action', Object.assign(place(el), {action_id: el.dataset.action, value: value || ''}))
    .finally(() => el.classList.remove('busy'));
}

function optionMenu(el) {
  const options = JSON.parse(el.dataset.options || '[]');
  const searchable = el.dataset.type === 'users_select' || options.length > 8;
  openMenu(el, options.map(o => ({
    html: '<span class="menu-main">' + esc(o.text) + '</span>',
    text: o.text,
    checked: el.dataset.selected === o.value,
    pick: () => {
      if (el.dataset.state) {
        el.dataset.selected = o.value;
        el.classList.remove('s-select-empty');
        $('.s-select-label', el).textContent = o.text;
        clearError(el);
        return;
      }
      press(el, o.value);
    },
  })), el.dataset.type === 'overflow' ? 'overflow-menu' : 'select-menu', searchable);
}

function openMenu(anchor, items, cls, searchable) {
  const menu = $('#menu');
  menu.className = cls || '';
  menu.innerHTML = (searchable ? '<input type="search" class="menu-search" placeholder="Search">' : '') + '<ul></ul>';
  const list = $('ul', menu);
  const draw = filter => {
    list.innerHTML = '';
    items.filter(it => !filter || (it.text || it.html).toLowerCase().includes(filter)).forEach(it => {
      const li = document.createElement('li');
      li.innerHTML = '<button type="button" class="menu-item' + (it.checked ? ' checked' : '') + '">' + it.html + '</button>';
      li.firstChild.addEventListener('click', ev => { ev.stopPropagation(); closeMenu(); it.pick(); });
      list.appendChild(li);
    });
  };
  draw('');
  const r = anchor.getBoundingClientRect();
  menu.hidden = false;
  const w = menu.offsetWidth, h = menu.offsetHeight;
  menu.style.left = Math.max(8, Math.min(r.left, innerWidth - w - 8)) + 'px';
  menu.style.top = (r.bottom + h + 8 > innerHeight ? Math.max(8, r.top - h - 4) : r.bottom + 4) + 'px';
  const search = $('.menu-search', menu);
  if (search) {
    search.addEventListener('input', () => draw(search.value.toLowerCase()));
    search.addEventListener('click', ev => ev.stopPropagation());
    search.focus();
  }
}

function closeMenu() { $('#menu').hidden = true; }

document.addEventListener('keydown', e => {
  if (e.key !== 'Escape') return;
  if (!$('#menu').hidden) { closeMenu(); return; }
  if (ui.popup) { hidePopup(); return; }
  if (!$('#modal-layer').hidden) closeModal(true); // as Slack: Esc closes the form
});

// ---- Modals

function clearError(el) {
  const input = el.closest('.s-input');
  if (!input) return;
  input.classList.remove('has-error');
  const err = $('.s-error', input);
  err.hidden = true;
  err.textContent = '';
}

$('#modal-body').addEventListener('input', e => clearError(e.target));

// state reads the form as Slack sends it: block id -> action id -> value.
function modalState() {
  const values = {}, missing = [];
  $$('[data-state]', $('#modal-body')).forEach(el => {
    const t = el.dataset.type, v = {type: t};
    let empty = false;
    switch (t) {
      case 'datepicker': v.selected_date = el.value; empty = !el.value; break;
      case 'timepicker': v.selected_time = el.value; empty = !el.value; break;
      case 'datetimepicker': v.selected_date_time = el.value ? Math.floor(new Date(el.value).getTime() / 1000) : 0; empty = !el.value; break;
      case 'users_select': v.selected_user = el.dataset.selected || ''; empty = !v.selected_user; break;
      case 'static_select': case 'external_select': {
        const o = JSON.parse(el.dataset.options || '[]').find(o => o.value === el.dataset.selected);
        v.selected_option = o ? {text: {type: 'plain_text', text: o.text, emoji: true}, value: o.value} : null;
        empty = !o;
        break;
      }
      case 'multi_static_select': case 'multi_users_select': {
        const picked = Array.from(el.selectedOptions);
        if (t === 'multi_users_select') v.selected_users = picked.map(o => o.value);
        else v.selected_options = picked.map(o => ({text: {type: 'plain_text', text: o.textContent}, value: o.value}));
        empty = !picked.length;
        break;
      }
      case 'checkboxes': case 'radio_buttons': {
        const picked = $$('input:checked', el).map(i => ({text: {type: 'plain_text', text: i.parentElement.textContent.trim()}, value: i.value}));
        if (t === 'checkboxes') v.selected_options = picked; else v.selected_option = picked[0] || null;
        empty = !picked.length;
        break;
      }
      default: v.value = el.value; empty = !el.value.trim();
    }
    (values[el.dataset.block] = values[el.dataset.block] || {})[el.dataset.action] = v;
    const input = el.closest('.s-input');
    if (empty && input && input.dataset.optional !== 'true') missing.push(el.dataset.block);
  });
  return {values, missing};
}

function showErrors(errors) {
  Object.entries(errors).forEach(([block, msg]) => {
    const input = $('.s-input[data-block="' + CSS.escape(block) + '"]', $('#modal-body'));
    if (!input) return;
    input.classList.add('has-error');
    const err = $('.s-error', input);
    err.textContent = msg;
    err.hidden = false;
  });
}

async function submitModal() {
  const view = $('#modal').dataset.view;
  const {values, missing} = modalState();
  if (missing.length) { // Slack checks required fields before sending anything
    const errs = {};
    missing.forEach(b => { errs[b] = 'Please complete this required field.'; });
    showErrors(errs);
    return;
  }
  const btn = $('.modal-submit');
  btn.disabled = true;
  try {
    const out = await api('/api/submit', {view, values});
    if (out.errors) showErrors(out.errors);
  } finally {
    btn.disabled = false;
  }
}

function closeModal(clear) {
  api('/api/close', {view: $('#modal').dataset.view, clear});
}

// ---- The composer: slash commands with their usage hints, @mentions

const input = $('#composer-input');

function grow() {
  input.style.height = 'auto';
  input.style.height = Math.min(input.scrollHeight, 200) + 'px';
}

function renderComposerHint() {
  const hint = $('#composer-hint');
  const m = /^(\/\S+)\s/.exec(input.value);
  const cmd = m && ui.data && ui.data.commands.find(c => c.Name === m[1]);
  hint.textContent = cmd ? cmd.Name + ' ' + cmd.UsageHint : '';
}

function currentWord() {
  const upto = input.value.slice(0, input.selectionStart);
  const m = /(^|\s)([@#/][^\s]*)$/.exec(upto);
  if (!m) return null;
  return {word: m[2], start: upto.length - m[2].length};
}

function updatePopup() {
  renderComposerHint();
  const d = ui.data;
  const w = currentWord();
  if (!d || !w) { hidePopup(); return; }
  let items = [];
  if (w.word[0] === '/' && w.start === 0) {
    const q = w.word.toLowerCase();
    items = d.commands.filter(c => c.Name.startsWith(q)).map(c => ({
      html: '<b>' + esc(c.Name) + '</b> <span class="hint">' + esc(c.UsageHint) + '</span><br><span class="menu-sub">' + esc(c.Description) + ' · ' + esc(d.app) + '</span>',
      insert: c.Name + ' ',
    }));
  } else if (w.word[0] === '#') {
    const q = w.word.slice(1).toLowerCase();
    items = d.channels.filter(c => c.name.startsWith(q)).map(c => ({
      html: '<b>#' + esc(c.name) + '</b>' + (c.shared ? ' <span class="menu-sub">shared</span>' : ''),
      insert: '#' + c.name + ' ',
    }));
  } else if (w.word[0] === '@') {
    const q = w.word.slice(1).toLowerCase();
    items = d.people.filter(p => !p.org && (p.name.startsWith(q) || p.real_name.toLowerCase().includes(q))).map(p => ({
      html: avatar(p) + ' <b>' + esc(p.real_name) + '</b> <span class="menu-sub">@' + esc(p.name) + ' · ' + esc(p.role) + '</span>',
      insert: '@' + p.name + ' ',
    }));
  }
  if (!items.length) { hidePopup(); return; }
  ui.popup = {items, index: 0, start: w.start, end: w.start + w.word.length};
  drawPopup();
}

function drawPopup() {
  const pop = $('#popup');
  pop.hidden = false;
  pop.innerHTML = ui.popup.items.map((it, i) => '<div class="pop-item' + (i === ui.popup.index ? ' selected' : '') + '" data-i="' + i + '" role="option">' + it.html + '</div>').join('');
  $$('.pop-item', pop).forEach(el => el.addEventListener('mousedown', ev => { ev.preventDefault(); pick(+el.dataset.i); }));
}

function hidePopup() { ui.popup = null; $('#popup').hidden = true; }

function pick(i) {
  const p = ui.popup;
  const it = p.items[i];
  input.value = input.value.slice(0, p.start) + it.insert + input.value.slice(p.end).replace(/^\s+/, '');
  const at = p.start + it.insert.length;
  input.setSelectionRange(at, at);
  hidePopup();
  renderComposerHint();
  input.focus();
}

input.addEventListener('input', () => { grow(); updatePopup(); });
// Enter sends and Shift+Enter breaks the line, whichever way the key
// arrives (a char event after the keydown included).
let shiftHeld = false;
input.addEventListener('keyup', e => { shiftHeld = e.shiftKey; });
input.addEventListener('beforeinput', e => {
  if ((e.inputType === 'insertLineBreak' || e.inputType === 'insertParagraph') && !shiftHeld) e.preventDefault();
});
input.addEventListener('keydown', e => {
  shiftHeld = e.shiftKey;
  if (ui.popup) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = ui.popup.items.length;
      ui.popup.index = (ui.popup.index + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      drawPopup();
      return;
    }
    if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) {
      e.preventDefault();
      pick(ui.popup.index);
      return;
    }
  }
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    grow();
    renderComposerHint();
    const thread = ui.thread && ui.thread.conv === ui.conv && !text.startsWith('/') ? ui.thread.ts : '';
    if (thread) endThread();
    api('/api/send', {conv: ui.conv, text, thread_ts: thread});
  }
});

// ---- Staying fresh

readHash();
refresh();
const events = new EventSource('/api/events');
events.onmessage = () => refresh();
setInterval(refresh, 30000); // the clock runs on by itself
