// The WebSocket session with a gateway (docs/protocol.md): requests with `ref` matched to their replies,
// pushes handed to listeners, a send queue paced to the server's token bucket, and a session that outlives
// its sockets: after a drop (or a `reconnect` push from a draining gateway) a new socket sends `resume`
// with the newest token as its first frame, so the call goes on.
import { TokenBucket } from './bucket.js';

const REQUEST_TIMEOUT_MS = 20000;
const RESUME_TIMEOUT_MS = 20000;
const OPEN_TIMEOUT_MS = 30000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10000;
const OFFLINE_AFTER_ATTEMPTS = 6;   // then the status says `offline`; retries go on at the slowest pace
const IDLE_PING_MS = 20000;         // a silent socket may be half-open: ask, and give up on it if no answer
const PING_TIMEOUT_MS = 10000;

// Requests that make sense only for the session they were queued in: after `resume_failed` they are dropped.
const SESSION_BOUND = new Set(['signal', 'chat', 'media', 'rename', 'leave', 'hand', 'react']);

// The gateway reads a literal U+FFFD as the mark of invalid UTF-8 and closes with 1007, so a pasted
// replacement character travels escaped (JSON decodes it to the same text).
function encode(frame) {
  return JSON.stringify(frame).replace(/\uFFFD/g, '\\ufffd');
}

export class ProtocolError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export function defaultUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

export class Connection {
  constructor(url = defaultUrl()) {
    this.url = url;
    // type -> Set(fn): pushes by their type, and from this side `status` (the status word), `session`
    // ({resumed: true, reply} | {resumed: false, previousPeerId?}) whenever a socket becomes the one in
    // use, `session_moved` when another connection took this session over, and `session_ended` ({reason})
    // when the server closed it for good (1008).
    this.listeners = new Map();
    this.primary = null;          // the socket in use (a Sock)
    this.candidate = null;        // a socket being opened to take over (retry or hand-over)
    this.peerId = null;
    this.resumeToken = null;      // the newest one; kept in memory only (a bearer secret)
    this.iceServers = [];
    this.limits = null;
    this.pending = new Map();     // ref -> {resolve, reject, timer, sock (once sent)}
    this.outbox = [];             // [{frame, ref}] waiting for a ready socket or for tokens
    this.nextRef = 1;
    this.attempt = 0;
    this.retryTimer = null;
    this.pumpTimer = null;
    this.bucket = new TokenBucket(0);
    this.status = 'connecting';
    this.everConnected = false;
    this.lastFrameAt = 0;
  }

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type).delete(fn);
  }

  emit(type, data) {
    for (const fn of this.listeners.get(type) ?? []) {
      try {
        fn(data);
      } catch (err) {
        console.error(`huddle: listener for ${type} failed`, err);
      }
    }
  }

  get ready() {
    return this.primary !== null && this.primary.state === 'ready';
  }

  start() {
    // A network change usually kills the TCP connection without a close: check at once.
    addEventListener('online', () => {
      if (this.ready) this.#probe(this.primary);
      else this.#retryNow();
    });
    addEventListener('offline', () => {
      if (this.ready) this.#probe(this.primary);
      else this.#setStatus('offline');
    });
    // A phone suspends background tabs; their socket may be long dead when the user comes back.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.ready) this.#probe(this.primary);
    });
    this.keepAlive = setInterval(() => this.#checkIdle(), IDLE_PING_MS / 2);
    this.candidate = this.#open();
  }

  // Sends a request and resolves with the reply's data, or rejects with a ProtocolError (the reply's
  // error, or `timeout` / `disconnected` / `resume_failed` from this side). Queued while not connected.
  request(type, data = {}, { timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    const ref = String(this.nextRef++);
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject, sock: null };
      entry.timer = setTimeout(() => {
        this.pending.delete(ref);
        this.outbox = this.outbox.filter((item) => item.ref !== ref);
        reject(new ProtocolError('timeout', `The server did not answer "${type}" in time; try again.`));
      }, timeoutMs);
      this.pending.set(ref, entry);
      this.outbox.push({ frame: { type, ref, data }, ref });
      this.#pump();
    });
  }

  // No reply wanted (ICE candidates): queued and paced like requests, a failure comes as an `error` push.
  send(type, data = {}) {
    this.outbox.push({ frame: { type, data }, ref: null });
    this.#pump();
  }

  // Best effort, no reply, bypasses the queue: for the last words of a closing page.
  sendNow(type, data = {}) {
    const ws = this.primary?.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(encode({ type, data }));
  }

  // ---- sockets ----

  #open() {
    const sock = { ws: new WebSocket(this.url), state: 'opening', dead: false };
    // A connect that hangs (no hello, no resume reply) is given up like a closed one.
    sock.openTimer = setTimeout(() => {
      if (sock.state !== 'ready') this.#drop(sock);
    }, OPEN_TIMEOUT_MS);
    sock.ws.onmessage = (ev) => this.#onFrame(sock, ev.data);
    sock.ws.onclose = (ev) => this.#onClosed(sock, ev.code, ev.reason);
    sock.ws.onerror = () => {}; // a close event follows
    return sock;
  }

  #onFrame(sock, raw) {
    if (sock.dead) return;
    if (sock === this.primary) this.lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      console.warn('huddle: a frame that is not JSON was ignored');
      return;
    }
    if (!frame || typeof frame.type !== 'string') return;
    if (frame.type === 'hello') {
      this.#onHello(sock, frame.data ?? {});
    } else if (frame.type === 'reply') {
      const entry = this.pending.get(frame.ref);
      if (!entry) return;
      this.pending.delete(frame.ref);
      clearTimeout(entry.timer);
      if (frame.ok) entry.resolve(frame.data ?? {});
      else entry.reject(new ProtocolError(frame.error?.code ?? 'internal', frame.error?.message ?? 'Request failed'));
    } else if (frame.type === 'reconnect') {
      this.#handOver(sock, frame.data ?? {});
    } else {
      // Pushes from a socket being replaced still belong to this session until the server closes it.
      this.emit(frame.type, frame.data ?? {});
    }
  }

  #onHello(sock, hello) {
    this.iceServers = Array.isArray(hello.iceServers) ? hello.iceServers : [];
    this.limits = hello.limits ?? null;
    if (!this.resumeToken) {
      this.peerId = hello.peerId;
      this.resumeToken = hello.resumeToken;
      this.#adopt(sock);
      this.emit('session', { resumed: false });
      return;
    }
    // resume must be the first frame: sent directly, not through the queue.
    sock.state = 'resuming';
    const ref = String(this.nextRef++);
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new ProtocolError('timeout', 'resume was not answered in time'));
      }, RESUME_TIMEOUT_MS);
      this.pending.set(ref, { resolve, reject, timer, sock });
    });
    sock.ws.send(encode({ type: 'resume', ref, data: { resumeToken: this.resumeToken } }));
    done.then(
      (reply) => {
        if (sock.dead) return;
        this.peerId = reply.peerId;
        this.resumeToken = reply.resumeToken;
        this.#adopt(sock);
        this.emit('session', { resumed: true, reply });
      },
      (err) => {
        if (sock.dead) return;
        if (err.code !== 'resume_failed') {
          // The token may still be good: try again on another socket.
          console.warn(`huddle: resume did not complete (${err.code}); retrying`);
          this.#drop(sock);
          return;
        }
        const previousPeerId = this.peerId;
        this.peerId = hello.peerId;
        this.resumeToken = hello.resumeToken;
        for (const item of this.outbox.filter((i) => SESSION_BOUND.has(i.frame.type))) {
          this.#fail(item.ref, new ProtocolError('resume_failed', 'The session ended while offline'));
        }
        this.outbox = this.outbox.filter((item) => !SESSION_BOUND.has(item.frame.type));
        this.#adopt(sock);
        this.emit('session', { resumed: false, previousPeerId });
      },
    );
  }

  // Makes `sock` the socket in use; a replaced one is closed (the server closes it too, with 4000).
  #adopt(sock) {
    const old = this.primary;
    if (this.candidate === sock) this.candidate = null;
    this.primary = sock;
    sock.state = 'ready';
    clearTimeout(sock.openTimer);
    this.attempt = 0;
    this.everConnected = true;
    this.lastFrameAt = Date.now();
    this.bucket = new TokenBucket(Math.max(1, (this.limits?.burst ?? 20) - 2)); // the server's starts full; `resume` took one
    if (old && old !== sock) this.#retire(old);
    this.#setStatus('connected');
    this.#pump();
  }

  #retire(sock) {
    sock.dead = true;
    this.#failPendingOf(sock);
    try {
      sock.ws.close(1000, 'replaced');
    } catch {
      // already closing
    }
  }

  #onClosed(sock, code, reason) {
    if (sock.dead) return;
    this.#drop(sock, code, reason);
  }

  // Forgets a socket that closed or stopped answering, and reconnects if it was needed.
  #drop(sock, code = 0, reason = '') {
    if (sock.dead) return;
    sock.dead = true;
    this.#failPendingOf(sock);
    try {
      sock.ws.close();
    } catch {
      // already closed
    }
    clearTimeout(sock.openTimer);
    if (sock === this.candidate) {
      this.candidate = null;
      if (this.primary && !this.primary.dead) return; // a hand-over failed; the old socket still works
      this.primary = null;
      this.#scheduleRetry();
      return;
    }
    if (sock !== this.primary) return;
    this.primary = null;
    if (code === 4000 && !this.candidate) {
      // Our session was resumed on another connection that is not ours: the token is dead.
      this.resumeToken = null;
      this.emit('session_moved', {});
    } else if (code === 1008) {
      // The server ended the session (an operator's disconnect, or a flood): do not resume it. The next
      // socket starts a fresh session, out of every room.
      this.resumeToken = null;
      this.emit('session_ended', { reason });
    }
    if (this.candidate) return; // a hand-over is under way; its outcome decides
    this.#scheduleRetry();
  }

  #failPendingOf(sock) {
    for (const [ref, entry] of this.pending) {
      if (entry.sock === sock) {
        this.#fail(ref, new ProtocolError('disconnected', 'The connection dropped before the server answered'));
      }
    }
  }

  #fail(ref, err) {
    const entry = this.pending.get(ref);
    if (!entry) return;
    this.pending.delete(ref);
    clearTimeout(entry.timer);
    entry.reject(err);
  }

  #scheduleRetry() {
    if (this.retryTimer || this.candidate) return;
    this.attempt += 1;
    const offline = navigator.onLine === false || this.attempt > OFFLINE_AFTER_ATTEMPTS;
    this.#setStatus(offline ? 'offline' : this.everConnected ? 'reconnecting' : 'connecting');
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.attempt - 1));
    const delay = base / 2 + Math.random() * base / 2; // jitter: not every client at the same instant
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.candidate && !this.ready) this.candidate = this.#open();
    }, delay);
  }

  #retryNow() {
    if (this.ready || this.candidate) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempt = 0;
    this.candidate = this.#open();
  }

  // `reconnect {retryAfterMs}`: this gateway drains. Open a new socket now (spread a little so a whole
  // gateway's clients do not arrive at once), resume there; the old one keeps working meanwhile.
  #handOver(sock, { retryAfterMs }) {
    if (sock !== this.primary || this.candidate) return;
    const window = Math.max(0, Math.min(Number(retryAfterMs) || 0, 4000));
    setTimeout(() => {
      if (this.primary === sock && !sock.dead && !this.candidate) this.candidate = this.#open();
    }, Math.random() * window * 0.5);
  }

  #checkIdle() {
    if (this.ready && Date.now() - this.lastFrameAt >= IDLE_PING_MS) this.#probe(this.primary);
  }

  // Asks the server for a sign of life; no answer in time means the socket is dead even if not closed.
  #probe(sock) {
    if (sock.pinging) return;
    sock.pinging = true;
    this.request('ping', { t: Date.now() }, { timeoutMs: PING_TIMEOUT_MS })
      .catch((err) => {
        if (err.code === 'timeout' && this.primary === sock) {
          console.warn('huddle: the connection stopped answering; reconnecting');
          this.#drop(sock);
        }
      })
      .finally(() => {
        sock.pinging = false;
      });
  }

  // ---- sending, paced to the server's token bucket so bursts (ICE candidates) are not dropped ----

  #pump() {
    const sock = this.primary;
    if (!sock || sock.state !== 'ready' || sock.ws.readyState !== WebSocket.OPEN) return;
    const rate = Math.max(1, (this.limits?.messagesPerSecond ?? 10) * 0.9);
    const burst = Math.max(1, (this.limits?.burst ?? 20) - 1);
    this.bucket.refill(rate, burst);
    while (this.outbox.length > 0 && this.bucket.tokens >= 1) {
      const { frame, ref } = this.outbox.shift();
      if (ref !== null) {
        const entry = this.pending.get(ref);
        if (!entry) continue; // timed out while queued
        entry.sock = sock;
      }
      this.bucket.tokens -= 1;
      sock.ws.send(encode(frame));
    }
    if (this.outbox.length > 0 && !this.pumpTimer) {
      const wait = Math.ceil(((1 - this.bucket.tokens) / rate) * 1000);
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = null;
        this.#pump();
      }, Math.max(10, wait));
    }
  }

  #setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.emit('status', status);
  }
}
