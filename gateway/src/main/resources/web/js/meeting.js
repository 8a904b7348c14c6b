// One joined room: who is in it, the call with each of them, the chat, and what happens to all that when
// the connection comes back (resumed: re-sync; resume failed: join again as a new peer) or the room
// ends for us (leave, kicked, room_closed).
import { TokenBucket } from './bucket.js';
import { Call, SpareOffer } from './call.js';
import { LinkStats } from './quality.js';
import { renderParticipants } from './ui.js';

// If a peer that joined after us never offered (its offers lost), we offer instead; perfect negotiation
// makes either direction safe.
const OFFER_FALLBACK_MS = 6000;
const JOIN_ATTEMPTS = 3;
const RETRYABLE = new Set(['unavailable', 'timeout', 'disconnected']);
// A description the server refused or did not confirm is sent again while it is still the current one.
const SIGNAL_RETRYABLE = new Set(['unavailable', 'rate_limited', 'timeout', 'disconnected']);
const SIGNAL_ATTEMPTS = 6;
const SIGNAL_TIMEOUT_MS = 8000;
const MEDIA_RETRY_MS = 1000;       // a media state the server did not take is sent again this much later
const QUALITY_SAMPLE_MS = 2000;
const FIRST_QUALITY_MS = 500;  // after a connection is up: past its first frames, which need WebRTC's threads more
// A media state straight from a peer (its data channel) stands this long against the server's `peer_media`
// that differs: that one is older, overtaken on the way (two clicks of mute); after it, the server's word holds.
const DIRECT_HOLD_MS = 2000;
const MAX_DIRECT_CHARS = 8192;     // a chat line of 2000 characters, escaped, and its envelope
// Messages a peer's page may send us straight, as the gateway limits frames: this many a second on average, and
// a burst of DIRECT_BURST; beyond that they are dropped (the server's copies still come, at its own limits).
const DIRECT_PER_SECOND = 20;
const DIRECT_BURST = 40;
let nonces = 0;

// The media state as the protocol spells it, for comparing what the server knows with what we have.
const mediaKey = (m) => JSON.stringify({ audio: Boolean(m?.audio), video: Boolean(m?.video), screen: Boolean(m?.screen) });

export class Meeting {
  // onEnter(self) after a join (or a re-join with a new peerId); onEnd(reason | null) when the room is
  // gone for us (reason {code, message} when it was not our own choice).
  // meter: the SpeakingMeter; onReaction({from, emoji}); onSelf(self) when our own entry changed (hand, name);
  // onPeople({kind, nickname}) when someone else comes, goes ('left', 'disconnected', 'kicked') or raises a hand
  // ('joined', 'hand') while we are in the room: not for who was there when we came, nor for a resume's catch-up.
  constructor({ conn, media, stage, chat, participants, meter, onEnter, onEnd, onReaction, onSelf, onPeople }) {
    this.conn = conn;
    this.media = media;
    this.stage = stage;
    this.chat = chat;
    this.participants = participants;
    this.meter = meter;
    this.onEnter = onEnter;
    this.onEnd = onEnd;
    this.onReaction = onReaction;
    this.onSelf = onSelf;
    this.onPeople = onPeople;
    this.stats = new Map(); // peerId -> LinkStats
    this.qualityTimer = null;
    this.room = null;
    this.self = null;
    this.peers = new Map(); // peerId -> {peerId, nickname, media}
    this.departed = new Set(); // peerIds that left this room while we were in it
    this.call = null;
    this.credentials = null;
    this.lastMedia = null;
    this.timers = new Set();
    // peerId -> what came straight from its page: {budget (TokenBucket), heard: {key, at} of its last media
    // state, held: the server's media state held back meanwhile (DIRECT_HOLD_MS)}
    this.direct = new Map();

    this.joining = null;    // the room of a join in flight (#enterWhenAnswered)
    this.early = [];        // [handler, data] of that room that came before the join's reply
    const inRoom = (handler) => (data) => {
      if (this.joining !== null && data.room === this.joining) this.early.push([handler, data]);
      else if (this.room !== null && data.room === this.room) handler(data);
    };
    conn.on('peer_joined', inRoom(({ peer }) => this.#peerJoined(peer)));
    conn.on('peer_left', inRoom(({ peerId, reason }) => {
      const peer = this.peers.get(peerId);
      this.#removePeer(peerId);
      const kind = ['disconnected', 'kicked'].includes(reason) ? reason : 'left';
      if (peer) this.onPeople({ kind, nickname: peer.nickname });
    }));
    conn.on('peer_media', inRoom(({ peerId, audio, video, screen }) => {
      const media = { audio, video, screen };
      const direct = this.direct.get(peerId);
      const heard = direct?.heard;
      if (heard && performance.now() - heard.at < DIRECT_HOLD_MS && heard.key !== mediaKey(media)) {
        direct.held = media;
        return;
      }
      if (direct) direct.held = null;
      this.#setMedia(peerId, media);
    }));
    conn.on('peer_renamed', inRoom(({ peerId, nickname }) => {
      this.#updatePeer(peerId, (peer) => ({ ...peer, nickname }));
    }));
    conn.on('peer_hand', inRoom(({ peerId, hand }) => {
      if (peerId === this.self?.peerId) {
        this.self = { ...this.self, hand: hand ?? null };
        this.#renderPeople();
        this.onSelf(this.self);
      } else {
        const before = this.peers.get(peerId);
        this.#updatePeer(peerId, (peer) => ({ ...peer, hand: hand ?? null }));
        if (before && hand && !before.hand) this.onPeople({ kind: 'hand', nickname: before.nickname });
      }
    }));
    conn.on('reaction', inRoom(({ from, emoji }) => this.onReaction({ from, emoji })));
    conn.on('peer_reconnected', inRoom(({ peerId }) => this.call?.restart(peerId)));
    // A late signal of a peer that has left must not start a connection to nobody. (One from a peer not known
    // yet is taken: after a resume, a newcomer's held offer may come before the room's state.)
    conn.on('signal', inRoom(({ from, description, candidate }) => {
      if (!this.departed.has(from)) this.call?.signal(from, { description, candidate });
      else console.debug(`huddle: signal from ${from}, who has left, ignored`);
    }));
    conn.on('chat', inRoom((message) => this.chat.receive(message)));
    conn.on('kicked', inRoom(({ room }) => this.#end({ code: 'kicked', message: `An operator removed you from "${room}".` })));
    conn.on('room_closed', inRoom(({ room }) => this.#end({ code: 'room_closed', message: `An operator closed "${room}".` })));
  }

  get active() {
    return this.room !== null;
  }

  async join({ room, nickname, password, isPrivate }) {
    const data = {
      room, nickname, password: password || undefined, private: isPrivate || undefined, media: this.media.state(),
    };
    // The offer to whoever is there is made while the join is on its way (call.js, SpareOffer).
    const spare = new SpareOffer({ iceServers: this.conn.iceServers, audio: this.media.audio, video: this.media.video });
    let reply;
    try {
      reply = await this.#enterWhenAnswered(room, async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await this.conn.request('join', data);
          } catch (err) {
            // A join is idempotent on one session (joining a room one is in just answers again), so a
            // slow backend or a dropped socket is retried rather than shown.
            if (attempt >= JOIN_ATTEMPTS || !RETRYABLE.has(err.code)) throw err;
            await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
          }
        }
      }, () => true, null, spare);
    } catch (err) {
      spare.close();
      throw err;
    }
    this.credentials = { nickname: reply.self?.nickname ?? nickname, password, isPrivate };
  }

  // Sends a join (request() -> its reply) and enters the room it answers, if still wanted then. Pushes of that
  // room can overtake the reply (a peer joining at the same moment: its peer_joined and its offer come from
  // other services than our reply); they wait for it and are handled once in, in the order they came.
  async #enterWhenAnswered(room, request, stillWanted, skipPeerId, spare = null) {
    this.joining = room;
    this.early = [];
    let reply;
    try {
      reply = await request();
    } finally {
      this.joining = null;
    }
    const early = this.early;
    this.early = [];
    if (!stillWanted()) {
      spare?.close();
      return null;
    }
    this.#enter(reply, skipPeerId, spare);
    for (const [handler, event] of early) {
      if (this.room === event.room) handler(event);
    }
    return reply;
  }

  // Leaves at once locally; the server is told in the background.
  leave() {
    const room = this.room;
    if (room === null) return;
    this.#teardown();
    this.conn.request('leave', { room }, { timeoutMs: 5000 })
      .catch((err) => console.warn(`huddle: leave of ${room} not confirmed`, err?.code ?? err?.message ?? err));
    this.onEnd(null);
  }

  // For a closing page: no reply awaited.
  leaveNow() {
    if (this.room !== null) this.conn.sendNow('leave', { room: this.room });
  }

  // The line goes to the server (which keeps it and tells everyone) and, at once, straight to the peers whose
  // data channel is open (a preview there, until the server's copy confirms it). If the server does not take it,
  // those peers are told to withdraw it.
  sendChat(text, to) {
    const room = this.room;
    if (room === null) return Promise.reject(new Error('not in a room'));
    const nonce = `${Date.now().toString(36)}-${(++nonces).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const direct = this.call && to !== this.self?.peerId ? this.call.sendDirect(to ?? null, { t: 'chat', nonce, text, to }) : [];
    return this.conn.request('chat', { room, text, to }).catch((err) => {
      for (const peerId of direct) this.call?.sendDirect(peerId, { t: 'withdraw', nonce });
      this.#notInRoom(err, room);
      throw err;
    });
  }

  // A message on a peer's data channel. It is trusted no more than the server would trust it: the sender is the
  // connection's peer (named by the server, not by the message), a line is for the room or for us, and text is
  // shown as text.
  #direct(peerId, text) {
    const peer = this.peers.get(peerId);
    if (!peer || text.length > MAX_DIRECT_CHARS) return;
    if (!this.direct.has(peerId)) this.direct.set(peerId, { budget: new TokenBucket(DIRECT_BURST), heard: null, held: null });
    const direct = this.direct.get(peerId);
    if (!direct.budget.take(DIRECT_PER_SECOND, DIRECT_BURST)) return;
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (m?.t === 'chat') {
      if (typeof m.text !== 'string' || typeof m.nonce !== 'string' || m.nonce.length > 64) return;
      if (m.to !== undefined && m.to !== this.self?.peerId) return;
      this.chat.preview({ peerId, nickname: peer.nickname, nonce: m.nonce, text: m.text, to: m.to });
    } else if (m?.t === 'withdraw' && typeof m.nonce === 'string') {
      this.chat.withdraw(peerId, m.nonce);
    } else if (m?.t === 'media') {
      const media = { audio: m.audio === true, video: m.video === true, screen: m.screen === true };
      direct.heard = { key: mediaKey(media), at: performance.now() };
      direct.held = null;
      this.#setMedia(peerId, media);
      // The hold is over: a server state held back meanwhile (and not overtaken by a later one from the page) holds.
      this.#later(DIRECT_HOLD_MS + 50, () => {
        if (!direct.held || performance.now() - direct.heard.at < DIRECT_HOLD_MS) return;
        const held = direct.held;
        direct.held = null;
        this.#setMedia(peerId, held);
      });
    }
  }

  #setMedia(peerId, media) {
    if (mediaKey(this.peers.get(peerId)?.media) === mediaKey(media)) return;
    this.#updatePeer(peerId, (peer) => ({ ...peer, media }));
  }

  // The local tracks changed (mute, camera, device, screen): update the senders and tell the room.
  mediaChanged(kind) {
    if (this.call && kind === 'audio') {
      this.call.setTrack('audio', this.media.audio);
      this.meter.setLocalTrack(this.media.audio);
    }
    if (this.call && kind === 'video') this.call.setTrack('video', this.media.video);
    this.sendMedia();
  }

  sendMedia() {
    if (this.room === null) return;
    const state = this.media.state();
    this.self = { ...this.self, media: state };
    this.#renderPeople();
    const key = mediaKey(state);
    if (key === this.lastMedia) return;
    this.lastMedia = key;
    const room = this.room;
    this.call?.sendDirect(null, { t: 'media', ...state }); // shown by the peers at once; the server's copy follows
    this.conn.request('media', { room, ...state }).catch((err) => {
      if (this.lastMedia === key) this.lastMedia = null;
      console.warn(`huddle: media state not sent (${err.code})`);
      this.#notInRoom(err, room);
      // Until it is sent, the others see a camera or a microphone that is not what we show: try again.
      if (SIGNAL_RETRYABLE.has(err.code)) this.#later(MEDIA_RETRY_MS, () => { if (this.room === room) this.sendMedia(); });
    });
  }

  // Raises or lowers our hand; the server's `peer_hand` (to us too) sets the state everyone sees.
  raiseHand(raised) {
    if (this.room === null) return Promise.reject(new Error('not in a room'));
    return this.conn.request('hand', { room: this.room, raised });
  }

  react(emoji) {
    if (this.room === null) return Promise.reject(new Error('not in a room'));
    return this.conn.request('react', { room: this.room, emoji });
  }

  async rename(nickname) {
    const room = this.room;
    if (room === null) throw new Error('not in a room');
    await this.conn.request('rename', { room, nickname });
    if (this.room !== room) return;
    this.self = { ...this.self, nickname };
    this.credentials = { ...this.credentials, nickname };
    this.#renderPeople();
    this.onSelf(this.self);
  }

  // The connection came back. Resumed: the peer connections never stopped; bring the room up to date.
  // Not resumed: we are a new peer now and join again; the old peerId lingers in the room until its
  // grace period ends, so it is not called.
  async onSession(event) {
    if (this.room === null) return;
    if (event.resumed) {
      const entry = (event.reply.rooms ?? []).find((r) => r.room === this.room);
      if (!entry) {
        this.#end({ code: 'not_in_room', message: `You are no longer in "${this.room}".` });
        return;
      }
      this.#resync(entry);
      return;
    }
    await this.#rejoin(event.previousPeerId);
  }

  // Joins our room again and calls everyone afresh (the local tracks stay).
  async #rejoin(skipPeerId) {
    const room = this.room;
    const { nickname, password, isPrivate } = this.credentials;
    this.rejoinedAt = Date.now();
    this.call?.closeAll();
    this.call = null; // the room's pushes wait for the new one (#enterWhenAnswered)
    this.stage.clear();
    this.peers.clear();
    try {
      await this.#enterWhenAnswered(room, () => this.conn.request('join', {
        room, nickname, password: password || undefined, private: isPrivate || undefined, media: this.media.state(),
      }), () => this.room === room, skipPeerId); // not if left meanwhile
    } catch (err) {
      if (this.room === room) this.#end(err);
    }
  }

  // The server says we are not in the room we show (e.g. our gateway was taken for dead and our
  // membership ended): join again rather than stay a ghost. At most every 10 s, so it cannot loop.
  #notInRoom(err, room) {
    if (err?.code !== 'not_in_room' || room !== this.room) return;
    if (Date.now() - (this.rejoinedAt ?? 0) < 10000) return;
    console.warn('huddle: the server no longer has us in the room; joining again');
    this.#rejoin(null);
  }

  // The session moved to another tab or window: this one is out of the room.
  sessionMoved() {
    if (this.room === null) return;
    this.#end({ code: 'session_moved', message: 'This meeting continued in another window.' });
  }

  // The server ended our session (an operator disconnected us): out of the room, and not back in it.
  sessionEnded({ reason }) {
    if (this.room === null) return;
    this.#end({ code: 'disconnected', message: `The server ended this session${reason ? `: ${reason}` : ''}.` });
  }

  #enter(reply, skipPeerId, spare = null) {
    this.room = reply.room;
    this.self = reply.self;
    this.peers = new Map();
    this.departed.clear();
    this.direct.clear();
    this.call?.closeAll();
    this.stage.clear();
    const room = reply.room;
    this.call = new Call({
      selfId: reply.self.peerId,
      iceServers: this.conn.iceServers,
      send: (to, payload, current) => {
        if (current) this.#sendDescription(room, to, payload, current, 1);
        else this.conn.send('signal', { room, to, ...payload }); // a candidate: no reply needed
      },
      tracks: () => ({ audio: this.media.audio, video: this.media.video }),
      onStream: (peerId, stream) => this.stage.setStream(peerId, stream),
      onState: (peerId, state) => {
        this.stage.setConnection(peerId, state);
        // Measured soon after the connection is up (and up again), not only at the next round of samples, up to
        // 2 s later: the tile shows its quality with its first frames, and no stale one after a recovery.
        if (state === 'connected' || state === 'completed') {
          this.#later(FIRST_QUALITY_MS, () => this.#sampleLink(peerId));
        }
      },
      onMessage: (peerId, text) => this.#direct(peerId, text),
      spare,
    });
    this.call.screenSharing = () => this.media.screen !== null;
    this.meter.stop(); // forgets the peers of a previous session
    this.meter.start();
    this.meter.setLocalTrack(this.media.audio);
    for (const peer of reply.peers ?? []) {
      if (peer.peerId === reply.self.peerId || peer.peerId === skipPeerId) continue;
      this.#addPeer(peer);
      this.call.open(peer.peerId); // the newcomer offers to everyone already there
    }
    this.call.calledEveryone();
    this.chat.reset(reply.self.peerId, reply.chat ?? []);
    // The join announced our media; a change since (or a server that ignored it) is sent now.
    this.lastMedia = reply.self?.media ? mediaKey(reply.self.media) : null;
    this.onEnter(this.self);
    this.sendMedia();
    clearInterval(this.qualityTimer);
    this.qualityTimer = setInterval(() => this.#sampleQuality(), QUALITY_SAMPLE_MS);
  }

  // Offers and answers need to arrive: retried while the server refuses them for a passing reason and
  // they are still this side's current description (call.js makes a fresh one when they go stale).
  #sendDescription(room, to, payload, current, attempt) {
    this.conn.request('signal', { room, to, ...payload }, { timeoutMs: SIGNAL_TIMEOUT_MS }).catch((err) => {
      if (this.room !== room) return;
      if (SIGNAL_RETRYABLE.has(err.code) && attempt < SIGNAL_ATTEMPTS && current()) {
        console.warn(`huddle: ${payload.description.type} to ${to} refused (${err.code}); sending again`);
        setTimeout(() => {
          if (this.room === room && current()) this.#sendDescription(room, to, payload, current, attempt + 1);
        }, 250 * 2 ** (attempt - 1));
        return;
      }
      console.debug(`huddle: signal to ${to} not delivered (${err.code})`);
      this.#notInRoom(err, room);
    });
  }

  async #sampleQuality() {
    for (const peerId of [...this.peers.keys()]) await this.#sampleLink(peerId);
  }

  async #sampleLink(peerId) {
    const link = this.call?.link(peerId); // the call may end while a sample is awaited
    if (!link || link.pc.connectionState === 'closed') return;
    if (!this.stats.has(peerId)) this.stats.set(peerId, new LinkStats());
    try {
      const { quality } = await this.stats.get(peerId).sample(link.pc);
      if (['connected', 'completed'].includes(link.pc.iceConnectionState)) this.stage.setQuality(peerId, quality);
    } catch {
      // closed meanwhile
    }
  }

  #addPeer(peer) {
    const known = this.peers.has(peer.peerId);
    this.departed.delete(peer.peerId);
    this.peers.set(peer.peerId, peer);
    this.stage.upsert(peer);
    if (!known) this.meter.addPeer(peer.peerId, () => this.call?.link(peer.peerId)?.pc ?? null);
  }

  #resync(entry) {
    this.self = { ...entry.self, media: this.media.state() };
    this.onSelf(this.self); // our hand (and name) as the server kept them while we were away
    const fresh = new Map((entry.peers ?? []).filter((p) => p.peerId !== this.self.peerId).map((p) => [p.peerId, p]));
    for (const peerId of [...this.peers.keys()]) {
      if (!fresh.has(peerId)) this.#removePeer(peerId);
    }
    for (const peer of fresh.values()) {
      // Someone who joined while we were away sends its offer now (held for us until the resume).
      this.#addPeer(peer);
    }
    this.chat.merge(entry.chat ?? []);
    this.call.restartStale();
    this.lastMedia = null;
    this.sendMedia();
  }

  #peerJoined(peer) {
    if (peer.peerId === this.self?.peerId) return;
    if (!this.peers.has(peer.peerId)) this.onPeople({ kind: 'joined', nickname: peer.nickname });
    this.#addPeer(peer);
    this.#renderPeople();
    this.#later(OFFER_FALLBACK_MS, () => {
      if (this.peers.has(peer.peerId) && this.call) this.call.ensure(peer.peerId);
    });
  }

  // Runs `action` after `ms` unless the room is left first (#teardown clears these timers).
  #later(ms, action) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  #removePeer(peerId) {
    this.departed.add(peerId);
    this.call?.close(peerId);
    this.meter.remove(peerId);
    this.stats.delete(peerId);
    this.direct.delete(peerId);
    this.stage.remove(peerId);
    if (this.peers.delete(peerId)) this.#renderPeople();
  }

  #updatePeer(peerId, change) {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    const updated = change(peer);
    this.peers.set(peerId, updated);
    this.stage.upsert(updated);
    this.#renderPeople();
  }

  #renderPeople() {
    renderParticipants(this.participants, this.self, this.peers);
    this.chat.setPeers(this.self, this.peers);
  }

  // Out of the room whatever happens: a step that throws (a browser's media or audio quirk) is logged and the
  // rest still runs, so Leave always brings the user home.
  #teardown() {
    const call = this.call;
    this.room = null;
    this.self = null;
    this.call = null;
    this.peers = new Map();
    this.departed.clear();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    clearInterval(this.qualityTimer);
    this.qualityTimer = null;
    this.stats.clear();
    this.direct.clear();
    for (const step of [() => this.meter.stop(), () => call?.closeAll(), () => this.stage.clear(),
      () => this.media.stopAll(), () => renderParticipants(this.participants, null, this.peers)]) {
      try {
        step();
      } catch (err) {
        console.error('huddle: leaving the call', err);
      }
    }
  }

  #end(reason) {
    if (this.room === null) return;
    this.#teardown();
    this.onEnd(reason);
  }
}
