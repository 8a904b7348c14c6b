// DOM rendering. User-provided text (nicknames, room names, chat, notices) only ever goes through
// textContent or attributes, never through HTML parsing.

export const byId = (id) => document.getElementById(id);

// el('li', {class: 'x', dataset: {room: name}, text: name}, child...)
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children); // strings become text nodes
  return node;
}

export function initial(nickname) {
  return [...(nickname ?? '').trim()][0]?.toUpperCase() ?? '?';
}

// ---- status, errors, notices, views ----

export function setStatus(status) {
  const node = byId('status');
  node.textContent = status;
  node.dataset.state = status;
}

// The `error` hook: "code: message", so tests and people both see the code.
export function showError(code, message) {
  byId('error').textContent = message ? `${code}: ${message}` : code;
}

export function showFailure(err) {
  showError(err?.code ?? 'error', err?.message ?? String(err));
}

export function clearError() {
  byId('error').textContent = '';
}

let noticeTimer = null;
export function showNotice(text) {
  byId('notice-text').textContent = text;
  byId('notice').hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(hideNotice, 20000);
}

export function hideNotice() {
  byId('notice').hidden = true;
}

// "Ann joined", "Bob raised a hand": a few seconds over the call's top corner, at most three at a time (a crowd
// coming at once shows its latest three), never in the way of a click.
const TOAST_MS = 4000;
const TOASTS_SHOWN = 3;
export function showToast(text) {
  const box = byId('toasts');
  const node = el('p', { class: 'toast', text });
  box.append(node);
  while (box.childElementCount > TOASTS_SHOWN) box.firstElementChild.remove();
  setTimeout(() => node.remove(), TOAST_MS);
}

export function showHome() {
  byId('room-view').hidden = true;
  byId('home-view').hidden = false;
  byId('room-title').textContent = '';
  byId('toasts').replaceChildren();
  document.title = 'Huddle';
}

export function showRoom(room) {
  byId('home-view').hidden = true;
  byId('room-view').hidden = false;
  byId('room-title').textContent = room;
  showUnseen(room, 0);
}

// Chat lines that came while the page was in the background, counted in its title ("(2) standup · Huddle") so that
// the tab shows them, until the page is looked at again.
export function showUnseen(room, count) {
  document.title = `${count ? `(${count}) ` : ''}${room} · Huddle`;
}

export function setHint(id, text) {
  const node = byId(id);
  node.textContent = text ?? '';
  node.hidden = !text;
}

// ---- video tiles ----

export function playSafely(video) {
  const attempt = video.play();
  if (!attempt) return;
  attempt.catch((err) => {
    if (err.name !== 'NotAllowedError') return;
    // Autoplay with sound refused (no user gesture yet): play muted and offer a button to hear it.
    video.muted = true;
    video.play().catch(() => {});
    const tile = video.closest('.tile');
    if (!tile || tile.querySelector('.unmute-audio')) return;
    const button = el('button', { type: 'button', class: 'unmute-audio small', text: 'Tap to hear' });
    button.addEventListener('click', () => {
      video.muted = false;
      video.play().catch(() => {});
      button.remove();
    });
    tile.append(button);
  });
}

const REACTION_MS = 4000; // a reaction floats this long over its sender's tile
const SPEAKER_SWITCH_MS = 2000;

// The grid of tiles: the local tile is static in the page, remote ones come and go. A tile carries who is
// speaking (data-speaking), the connection's quality (data-quality) and its ICE state (data-connection).
export class Stage {
  constructor(grid, localTile) {
    this.grid = grid;
    this.localTile = localTile;
    this.selfId = null;
    this.tiles = new Map();   // peerId -> {tile, video, name, ...}
    this.streams = new Map(); // peerId -> MediaStream, kept even before the peer's tile exists
    this.sinkId = '';         // chosen audio output ('' = the default)
    this.pinned = null;       // the tile the user pinned, or null
    this.speakerView = false; // the last remote speaker shown large (else a grid of equals)
    this.speaker = null;      // that speaker's tile
    this.shownSpeakerAt = 0;  // when the large tile last changed to another speaker
    this.speakerTimer = null;
    // A double-click on a tile shows it full screen (a shared slide, a face); another one, or Esc, comes back.
    grid.addEventListener('dblclick', (ev) => {
      const tile = ev.target.closest?.('.tile');
      if (!tile || ev.target.closest('button')) return;
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
      else tile.requestFullscreen?.().catch(() => {});
    });
    // Pin: that tile is shown large, as a shared screen is, until unpinned or its person leaves.
    grid.addEventListener('click', (ev) => {
      const tile = ev.target.closest?.('.pin') && ev.target.closest('.tile');
      if (!tile) return;
      this.pinned = this.pinned === tile ? null : tile;
      this.#layout();
    });
  }

  setSelf(peerId) {
    this.selfId = peerId;
    if (peerId) this.localTile.dataset.peerId = peerId;
    else delete this.localTile.dataset.peerId;
  }

  // key: 'self' or a peerId
  #tileOf(key) {
    if (key === 'self' || (key && key === this.selfId)) return this.localTile;
    return this.tiles.get(key)?.tile ?? null;
  }

  setSpeaking(key, speaking) {
    const tile = this.#tileOf(key);
    if (tile) tile.dataset.speaking = speaking ? 'true' : 'false';
  }

  // The loudest speaker's tile is emphasised (only one at a time).
  setActive(key) {
    const active = this.#tileOf(key);
    for (const tile of this.grid.querySelectorAll('.tile.active-speaker')) {
      if (tile !== active) tile.classList.remove('active-speaker');
    }
    active?.classList.add('active-speaker');
    if (!active || active === this.localTile || active === this.speaker) return;
    this.speaker = active;
    if (this.speakerView) this.#showSpeaker();
  }

  setSpeakerView(on) {
    this.speakerView = on;
    this.#layout();
  }

  // In speaker view the large tile follows the speaker, but changes at most every SPEAKER_SWITCH_MS: a word from
  // someone else, or two people talking over each other, does not swap the layout back and forth.
  #showSpeaker() {
    if (this.speakerTimer) return;
    const wait = this.shownSpeakerAt + SPEAKER_SWITCH_MS - performance.now();
    if (wait > 0) {
      this.speakerTimer = setTimeout(() => {
        this.speakerTimer = null;
        this.#showSpeaker();
      }, wait);
      return;
    }
    this.shownSpeakerAt = performance.now();
    this.#layout();
  }

  setQuality(peerId, quality) {
    const view = this.tiles.get(peerId);
    if (!view) return;
    view.tile.dataset.quality = quality;
    // A coloured dot: its words are its tooltip and what a screen reader says (as text they spilled off the tile).
    const words = { good: 'Good connection', fair: 'Fair connection', poor: 'Poor connection' }[quality];
    view.qualityBadge.title = words;
    view.qualityBadge.setAttribute('aria-label', words);
    view.qualityBadge.dataset.quality = quality;
  }

  // A reaction floats over its sender's tile for a few seconds.
  showReaction(from, emoji) {
    const tile = this.#tileOf(from) ?? this.grid;
    const node = el('span', {
      class: 'reaction', 'data-testid': 'reaction', dataset: { from, emoji }, text: emoji, role: 'img',
      'aria-label': `reaction ${emoji}`,
    });
    tile.append(node);
    setTimeout(() => node.remove(), REACTION_MS);
  }

  // Audio output for every remote video, now and later.
  async setSink(sinkId) {
    this.sinkId = sinkId;
    await Promise.all([...this.tiles.values()].map((view) => view.video.setSinkId?.(sinkId)));
  }

  upsert(peer) {
    let view = this.tiles.get(peer.peerId);
    if (!view) {
      const video = el('video', {
        'data-testid': 'remote-video', autoplay: true, playsinline: true,
        dataset: { peerId: peer.peerId, nickname: peer.nickname },
      });
      const letter = el('span');
      const name = el('span', { class: 'name' });
      const mutedBadge = el('span', { class: 'badge muted-badge', text: 'Muted' });
      const screenBadge = el('span', { class: 'badge screen-badge', text: 'Sharing screen' });
      const netBadge = el('span', { class: 'badge net-badge', text: 'Connecting…' });
      const handBadge = el('span', { class: 'badge hand-badge', text: '✋', title: 'Hand raised' });
      const qualityBadge = el('span', { class: 'quality', role: 'img', 'aria-label': 'connection quality' });
      const tile = el('figure', {
        class: 'tile remote', 'data-testid': 'tile', title: 'Double-click for full screen',
        dataset: { peerId: peer.peerId, speaking: 'false', connection: 'new' },
      },
      video,
      el('div', { class: 'placeholder', 'aria-hidden': 'true' }, letter),
      el('figcaption', {}, name, handBadge, mutedBadge, screenBadge, netBadge, qualityBadge),
      el('button', { type: 'button', class: 'pin', 'aria-pressed': 'false', text: 'Pin' }));
      view = { tile, video, letter, name, mutedBadge, screenBadge, netBadge, handBadge, qualityBadge };
      if (this.sinkId) video.setSinkId?.(this.sinkId).catch(() => {});
      this.tiles.set(peer.peerId, view);
      this.grid.append(tile);
      const stream = this.streams.get(peer.peerId);
      if (stream) this.setStream(peer.peerId, stream);
      this.#layout();
    }
    view.video.dataset.nickname = peer.nickname;
    view.name.textContent = peer.nickname;
    view.letter.textContent = initial(peer.nickname);
    const media = peer.media ?? {};
    view.mutedBadge.hidden = media.audio !== false;
    view.screenBadge.hidden = !media.screen;
    view.tile.classList.toggle('video-off', !media.video && !media.screen);
    if (view.tile.classList.contains('screen') !== Boolean(media.screen)) {
      view.tile.classList.toggle('screen', Boolean(media.screen));
      this.#layout();
    }
    view.handBadge.hidden = !peer.hand;
  }

  setStream(peerId, stream) {
    this.streams.set(peerId, stream);
    const view = this.tiles.get(peerId);
    if (!view) return;
    // Attached once: a track added later joins the same stream, and re-assigning would reload the video.
    if (view.video.srcObject === stream) return;
    view.video.srcObject = stream;
    playSafely(view.video);
  }

  setConnection(peerId, state) {
    const view = this.tiles.get(peerId);
    if (!view) return;
    // Once connected, losing ICE is "reconnecting" until it recovers (restarts: call.js).
    const was = view.tile.dataset.connection;
    const connected = state === 'connected' || state === 'completed';
    const recovering = !connected && was !== 'new' && was !== 'connecting';
    view.tile.dataset.connection = connected ? 'connected' : recovering ? 'reconnecting' : 'connecting';
    const text = connected ? '' : recovering ? 'Reconnecting…' : 'Connecting…';
    view.netBadge.textContent = text;
    view.netBadge.hidden = !text;
  }

  remove(peerId) {
    this.streams.delete(peerId);
    const view = this.tiles.get(peerId);
    if (!view) return;
    view.video.srcObject = null;
    view.tile.remove();
    this.tiles.delete(peerId);
    if (this.pinned === view.tile) this.pinned = null;
    if (this.speaker === view.tile) this.speaker = null;
    this.#layout();
  }

  clear() {
    for (const peerId of [...this.tiles.keys()]) this.remove(peerId);
    this.streams.clear();
    this.pinned = null;
    this.speaker = null;
    this.#layout();
  }

  // The tile shown large (spotlit): the pinned one, else the first shared screen, else in speaker view the last
  // remote speaker (or the first remote tile before anyone spoke), else none; alone, none.
  #layout() {
    this.grid.dataset.count = String(this.tiles.size + 1);
    const spotlit = this.tiles.size === 0 ? null : this.pinned ?? this.grid.querySelector(':scope > .tile.screen')
      ?? (this.speakerView ? this.speaker ?? this.grid.querySelector(':scope > .tile.remote') : null);
    for (const tile of this.grid.querySelectorAll(':scope > .tile')) {
      tile.classList.toggle('spotlit', tile === spotlit);
      const pin = tile.querySelector(':scope > .pin');
      if (!pin) continue;
      const pinned = tile === this.pinned;
      pin.setAttribute('aria-pressed', String(pinned));
      pin.textContent = pinned ? 'Unpin' : 'Pin';
    }
  }
}

// ---- participants ----

// Each item's text is exactly the nickname; "(you)", the hand and the microphone/camera marks come from
// CSS, driven by data-hand / data-audio / data-video, so they stay out of the text. Raised hands come
// first, in the order raised (`hand` is the server time of raising), then self, then by name.
export function renderParticipants(list, self, peers) {
  const everyone = [self, ...peers.values()].filter(Boolean);
  const raised = everyone.filter((p) => p.hand).sort((a, b) => a.hand - b.hand);
  const rest = [self, ...[...peers.values()].sort((a, b) => a.nickname.localeCompare(b.nickname))]
    .filter((p) => p && !p.hand);
  const items = [...raised, ...rest];
  list.replaceChildren(...items.map((peer) => {
    const media = peer.media ?? {};
    return el('li', {
      class: peer === self ? 'self' : null,
      dataset: {
        peerId: peer.peerId,
        hand: peer.hand ? 'up' : 'down',
        audio: media.audio ? 'on' : 'off',
        video: media.video ? 'on' : 'off',
        screen: media.screen ? 'on' : 'off',
      },
      title: `${media.audio ? 'microphone on' : 'muted'}, ${media.video ? 'camera on' : 'camera off'}`,
    }, peer.nickname);
  }));
  byId('peer-count').textContent = String(items.length);
}

// Lengths in the protocol count characters (code points); an input's maxlength counts UTF-16 units, so an
// emoji would count twice. The attribute stays as a hard cap of twice the limit; this trims to the limit.
export function limitCharacters(input, max) {
  input.maxLength = 2 * max;
  const trim = () => {
    const chars = [...input.value];
    if (chars.length > max) input.value = chars.slice(0, max).join('');
  };
  input.addEventListener('input', (event) => { if (!event.isComposing) trim(); });
  input.addEventListener('compositionend', trim);
}

export function setPressed(button, pressed, label) {
  button.setAttribute('aria-pressed', pressed ? 'true' : 'false');
  button.textContent = label;
}

export function fillSelect(select, devices, currentId, fallbackLabel) {
  const options = devices.map((device, i) => el('option', {
    value: device.deviceId,
    text: device.label || `${fallbackLabel} ${i + 1}`,
  }));
  if (options.length === 0) options.push(el('option', { value: '', text: `No ${fallbackLabel.toLowerCase()}` }));
  select.replaceChildren(...options);
  if (currentId && devices.some((d) => d.deviceId === currentId)) select.value = currentId;
  select.disabled = devices.length === 0;
}
