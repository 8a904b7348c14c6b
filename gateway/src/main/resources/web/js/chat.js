// Room chat: the log (history from the join reply, then `chat` pushes, de-duplicated by id), the
// recipient select ("Everyone" or one participant, for a private message) and the send form.
//
// A line a peer sends also comes straight from its page over the call's data channel (meeting.js), before the
// server's copy: it shows at once as a preview, and the server's copy, when it comes, confirms it (the line takes
// the server's id and time) instead of showing again; when the server's copy is the quicker one, the page's copy
// that follows is not shown. The server stays the authority: a preview its sender withdraws (the server refused
// the line) or that no copy confirms in time goes from the log.
import { el } from './ui.js';

const MAX_TEXT = 2000;
const PREVIEW_TTL_MS = 30000;   // well past a request's timeout: a line still unconfirmed then was not taken
// Per peer: unconfirmed previews (more, a flood, wait for the server's copies), and server lines remembered.
const MAX_PREVIEWS = 20;
const AHEAD_MS = 5000;          // a page's copy comes within this of the server's, or not at all

// A preview or a remembered server line ({peerId, text, to}) against a line from peerId: the same sender, text and
// recipient (to: a peerId, or absent for the room).
const sameLine = (entry, peerId, text, to) =>
  entry.peerId === peerId && entry.text === text && entry.to === (to ?? null);

export class Chat {
  // send(text, to) -> Promise; onError(err) for a refused message.
  constructor({ log, form, input, to, send, onError }) {
    this.log = log;
    this.input = input;
    this.to = to;
    this.send = send;
    this.onError = onError;
    this.seen = new Set();
    this.previews = []; // {peerId, nonce, text, to, item, timer}, oldest first
    this.ahead = [];    // {peerId, text, to, at}: others' lines whose server copy came before their page's
    this.selfId = null;
    this.names = new Map(); // peerId -> nickname, to name the other end of private messages
    this.onIncoming = () => {};
    // Whether the log follows new lines: kept from its scroll events, so adding a line never reads layout (a
    // forced layout of a page showing several videos delays the line, and everything else on the page).
    this.stick = true;
    this.scrollQueued = false;
    log.addEventListener('scroll', () => {
      this.stick = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    }, { passive: true });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#submit();
    });
  }

  reset(selfId, history = []) {
    this.selfId = selfId;
    this.seen.clear();
    this.#dropPreviews();
    this.ahead = [];
    this.log.replaceChildren();
    this.input.value = '';
    this.stick = true;
    for (const message of history) this.add(message);
  }

  // Merges history after a resume: adds only what was missed.
  merge(history = []) {
    for (const message of history) this.add(message);
  }

  setPeers(self, peers) {
    this.selfId = self.peerId;
    this.names = new Map([[self.peerId, self.nickname], ...[...peers.values()].map((p) => [p.peerId, p.nickname])]);
    const chosen = this.to.value;
    const options = [el('option', { value: '', text: 'Everyone' })];
    for (const peer of [...peers.values()].sort((a, b) => a.nickname.localeCompare(b.nickname))) {
      options.push(el('option', { value: peer.peerId, text: `${peer.nickname} (private)` }));
    }
    this.to.replaceChildren(...options);
    this.to.value = peers.has(chosen) ? chosen : '';
  }

  // A message pushed live (not history): counted as unread by onIncoming when someone else wrote it (and not
  // already, as a preview).
  receive(message) {
    if (!message || this.seen.has(message.id)) return;
    if (this.add(message) && message.from?.peerId !== this.selfId) {
      // Shown before its page's copy (the server's way was the quicker one this time): that copy is not shown again.
      this.#forgetAhead();
      if (this.ahead.filter((a) => a.peerId === message.from?.peerId).length < MAX_PREVIEWS) {
        const { text, to } = message;
        this.ahead.push({ peerId: message.from?.peerId, text, to: to ?? null, at: performance.now() });
      }
      this.onIncoming(message);
    }
  }

  // A line straight from a peer's page ({peerId, nickname, nonce, text, to}): shown until the server's copy
  // confirms it or its sender withdraws it. One the server would refuse for its length is not shown.
  preview({ peerId, nickname, nonce, text, to }) {
    const length = [...text].length;
    if (length < 1 || length > MAX_TEXT) return;
    if (this.previews.filter((p) => p.peerId === peerId).length >= MAX_PREVIEWS) return;
    if (this.previews.some((p) => p.peerId === peerId && p.nonce === nonce)) return;
    this.#forgetAhead();
    const shown = this.ahead.find((a) => sameLine(a, peerId, text, to));
    if (shown) {
      this.ahead = this.ahead.filter((a) => a !== shown);
      return;
    }
    const message = { id: `preview:${peerId}:${nonce}`, from: { peerId, nickname }, to, text, ts: Date.now() };
    const item = this.#render(message);
    const preview = { peerId, nonce, text, to: to ?? null, item, timer: null };
    preview.timer = setTimeout(() => this.#forget(preview, true), PREVIEW_TTL_MS);
    this.previews.push(preview);
    this.onIncoming(message);
  }

  // Its sender says the server did not take it.
  withdraw(peerId, nonce) {
    const preview = this.previews.find((p) => p.peerId === peerId && p.nonce === nonce);
    if (preview) this.#forget(preview, true);
  }

  // Adds a message of the server's (history or live) unless it is there already; false when it was, or when it
  // confirmed a preview instead (the oldest one of its sender with the same text and recipient: a peer's lines
  // come in order both ways).
  add(message) {
    if (!message || this.seen.has(message.id)) return false;
    this.seen.add(message.id);
    const preview = this.previews.find((p) => sameLine(p, message.from?.peerId, message.text, message.to));
    if (preview) {
      this.#forget(preview, false);
      preview.item.dataset.id = message.id;
      const time = preview.item.querySelector('time');
      if (time) stamp(time, new Date(message.ts ?? Date.now()));
      return false;
    }
    this.#render(message);
    return true;
  }

  #forget(preview, removeItem) {
    clearTimeout(preview.timer);
    this.previews = this.previews.filter((p) => p !== preview);
    if (removeItem) preview.item.remove();
  }

  #forgetAhead() {
    const now = performance.now();
    this.ahead = this.ahead.filter((a) => now - a.at < AHEAD_MS);
  }

  #dropPreviews() {
    for (const preview of this.previews) clearTimeout(preview.timer);
    this.previews = [];
  }

  #render(message) {
    const own = message.from?.peerId === this.selfId;
    const time = new Date(message.ts ?? Date.now());
    const meta = el('div', { class: 'meta' },
      el('span', { class: 'author', text: own ? 'You' : (message.from?.nickname ?? '?') }));
    if (message.to) {
      const other = own ? (this.names.get(message.to) ?? 'someone') : null;
      meta.append(el('span', { class: 'to', text: own ? `privately to ${other}` : 'privately to you' }));
    }
    meta.append(stamp(el('time'), time));
    const item = el('li', {
      'data-testid': 'chat-message',
      class: [own ? 'own' : '', message.to ? 'private' : ''].join(' ').trim() || null,
      dataset: { from: message.from?.peerId ?? '', id: message.id },
    }, meta, el('p', { class: 'text' }, ...linked(message.text ?? '')));
    this.log.append(item);
    if (this.stick || own) this.#scrollToEnd();
    return item;
  }

  // At the next frame, when the page lays itself out anyway; lines added meanwhile share one scroll.
  #scrollToEnd() {
    if (this.scrollQueued) return;
    this.scrollQueued = true;
    requestAnimationFrame(() => {
      this.scrollQueued = false;
      this.log.scrollTop = this.log.scrollHeight;
      this.stick = true;
    });
  }

  async #submit() {
    const text = this.input.value;
    if (!text.trim()) return;
    if ([...text].length > MAX_TEXT) {
      this.onError({ code: 'invalid_field', message: `A message has at most ${MAX_TEXT} characters.` });
      return;
    }
    const to = this.to.value || undefined;
    this.input.value = '';
    try {
      await this.send(text, to);
    } catch (err) {
      if (!this.input.value) this.input.value = text; // give it back to retry
      this.onError(err);
    }
  }
}

function stamp(time, date) {
  time.dateTime = date.toISOString();
  time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return time;
}

// The text as text nodes, with each web address in it a link that opens in a new tab. Only http(s) addresses are
// links (never javascript: or data:), the link's text is the address as written, and nothing is parsed as HTML.
const ADDRESS = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = '.,;:!?\'")]}'; // "see https://x.org/a." ends the sentence, not the address

function linked(text) {
  const parts = [];
  let at = 0;
  for (const match of text.matchAll(ADDRESS)) {
    let address = match[0];
    // a closing parenthesis that closes one inside the address stays (Wikipedia's "Foo_(bar)")
    const count = (c) => address.split(c).length - 1;
    while (TRAILING.includes(address.at(-1)) && (address.at(-1) !== ')' || count(')') > count('('))) {
      address = address.slice(0, -1);
    }
    let href;
    try {
      href = new URL(address).href; // http(s) only: ADDRESS matches nothing else
    } catch {
      continue; // not an address after all ("https://."): stays text
    }
    parts.push(text.slice(at, match.index));
    parts.push(el('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow', text: address }));
    at = match.index + address.length;
  }
  parts.push(text.slice(at));
  return parts.filter((part) => part !== '');
}
