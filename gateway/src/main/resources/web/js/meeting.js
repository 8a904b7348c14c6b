// One joined room: who is in it, the call with each of them, the chat, and what happens to all that when
// the connection comes back (resumed: re-sync; resume failed: join again as a new peer) or the room
// ends for us (leave, kicked, room_closed).
import { Call } from './call.js';
import { renderParticipants } from './ui.js';

// If a peer that joined after us never offered (its offer lost), we offer instead; perfect negotiation
// makes either direction safe.
const OFFER_FALLBACK_MS = 8000;
const JOIN_ATTEMPTS = 3;
const RETRYABLE = new Set(['unavailable', 'timeout', 'disconnected']);

export class Meeting {
  // onEnter(self) after a join (or a re-join with a new peerId); onEnd(reason | null) when the room is
  // gone for us (reason {code, message} when it was not our own choice).
  constructor({ conn, media, stage, chat, participants, onEnter, onEnd }) {
    this.conn = conn;
    this.media = media;
    this.stage = stage;
    this.chat = chat;
    this.participants = participants;
    this.onEnter = onEnter;
    this.onEnd = onEnd;
    this.room = null;
    this.self = null;
    this.peers = new Map(); // peerId -> {peerId, nickname, media}
    this.call = null;
    this.credentials = null;
    this.lastMedia = null;
    this.timers = new Set();

    const inRoom = (handler) => (data) => {
      if (this.room !== null && data.room === this.room) handler(data);
    };
    conn.on('peer_joined', inRoom(({ peer }) => this.#peerJoined(peer)));
    conn.on('peer_left', inRoom(({ peerId }) => this.#removePeer(peerId)));
    conn.on('peer_media', inRoom(({ peerId, audio, video, screen }) => {
      this.#updatePeer(peerId, (peer) => ({ ...peer, media: { audio, video, screen } }));
    }));
    conn.on('peer_renamed', inRoom(({ peerId, nickname }) => {
      this.#updatePeer(peerId, (peer) => ({ ...peer, nickname }));
    }));
    conn.on('peer_reconnected', inRoom(({ peerId }) => this.call?.restart(peerId)));
    conn.on('signal', inRoom(({ from, description, candidate }) => this.call?.signal(from, { description, candidate })));
    conn.on('chat', inRoom((message) => this.chat.add(message)));
    conn.on('kicked', inRoom(({ room }) => this.#end({ code: 'kicked', message: `An operator removed you from "${room}".` })));
    conn.on('room_closed', inRoom(({ room }) => this.#end({ code: 'room_closed', message: `An operator closed "${room}".` })));
  }

  get active() {
    return this.room !== null;
  }

  async join({ room, nickname, password, isPrivate }) {
    const data = { room, nickname, password: password || undefined, private: isPrivate || undefined };
    let reply;
    for (let attempt = 1; ; attempt++) {
      try {
        reply = await this.conn.request('join', data);
        break;
      } catch (err) {
        // A join is idempotent on one session (joining a room one is in just answers again), so a
        // slow backend or a dropped socket is retried rather than shown.
        if (attempt >= JOIN_ATTEMPTS || !RETRYABLE.has(err.code)) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
    this.credentials = { nickname: reply.self?.nickname ?? nickname, password, isPrivate };
    this.#enter(reply);
  }

  // Leaves at once locally; the server is told in the background.
  leave() {
    const room = this.room;
    if (room === null) return;
    this.#teardown();
    this.conn.request('leave', { room }, { timeoutMs: 5000 }).catch(() => {});
    this.onEnd(null);
  }

  // For a closing page: no reply awaited.
  leaveNow() {
    if (this.room !== null) this.conn.sendNow('leave', { room: this.room });
  }

  sendChat(text, to) {
    const room = this.room;
    if (room === null) return Promise.reject(new Error('not in a room'));
    return this.conn.request('chat', { room, text, to }).catch((err) => {
      this.#notInRoom(err, room);
      throw err;
    });
  }

  // The local tracks changed (mute, camera, device, screen): update the senders and tell the room.
  mediaChanged(kind) {
    if (this.call && kind === 'audio') this.call.setTrack('audio', this.media.audio);
    if (this.call && kind === 'video') this.call.setTrack('video', this.media.video);
    this.sendMedia();
  }

  sendMedia() {
    if (this.room === null) return;
    const state = this.media.state();
    this.self = { ...this.self, media: state };
    this.#renderPeople();
    const key = JSON.stringify(state);
    if (key === this.lastMedia) return;
    this.lastMedia = key;
    const room = this.room;
    this.conn.request('media', { room, ...state }).catch((err) => {
      this.lastMedia = null;
      console.warn(`huddle: media state not sent (${err.code})`);
      this.#notInRoom(err, room);
    });
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
    this.call = null; // signals meant for the old call are dropped until the new one exists
    this.stage.clear();
    this.peers.clear();
    try {
      const reply = await this.conn.request('join', {
        room, nickname, password: password || undefined, private: isPrivate || undefined,
      });
      if (this.room !== room) return; // left meanwhile
      this.#enter(reply, skipPeerId);
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

  #enter(reply, skipPeerId) {
    this.room = reply.room;
    this.self = reply.self;
    this.peers = new Map();
    this.call?.closeAll();
    this.stage.clear();
    const room = reply.room;
    this.call = new Call({
      selfId: reply.self.peerId,
      iceServers: this.conn.iceServers,
      send: (to, payload) => {
        this.conn.request('signal', { room, to, ...payload }).catch((err) => {
          console.debug(`huddle: signal to ${to} not delivered (${err.code})`);
          this.#notInRoom(err, room);
        });
      },
      tracks: () => ({ audio: this.media.audio, video: this.media.video }),
      onStream: (peerId, stream) => this.stage.setStream(peerId, stream),
      onState: (peerId, state) => this.stage.setConnection(peerId, state),
    });
    for (const peer of reply.peers ?? []) {
      if (peer.peerId === reply.self.peerId || peer.peerId === skipPeerId) continue;
      this.peers.set(peer.peerId, peer);
      this.stage.upsert(peer);
      this.call.open(peer.peerId); // the newcomer offers to everyone already there
    }
    this.chat.reset(reply.self.peerId, reply.chat ?? []);
    this.lastMedia = null;
    this.onEnter(this.self);
    this.sendMedia(); // the server does not know our devices yet
  }

  #resync(entry) {
    this.self = { ...entry.self, media: this.media.state() };
    const fresh = new Map((entry.peers ?? []).filter((p) => p.peerId !== this.self.peerId).map((p) => [p.peerId, p]));
    for (const peerId of [...this.peers.keys()]) {
      if (!fresh.has(peerId)) this.#removePeer(peerId);
    }
    for (const peer of fresh.values()) {
      // Someone who joined while we were away sends its offer now (held for us until the resume).
      this.peers.set(peer.peerId, peer);
      this.stage.upsert(peer);
    }
    this.chat.merge(entry.chat ?? []);
    this.call.restartStale();
    this.lastMedia = null;
    this.sendMedia();
  }

  #peerJoined(peer) {
    if (peer.peerId === this.self?.peerId) return;
    this.peers.set(peer.peerId, peer);
    this.stage.upsert(peer);
    this.#renderPeople();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.peers.has(peer.peerId) && this.call && !this.call.has(peer.peerId)) this.call.open(peer.peerId);
    }, OFFER_FALLBACK_MS);
    this.timers.add(timer);
  }

  #removePeer(peerId) {
    this.call?.close(peerId);
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

  #teardown() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.call?.closeAll();
    this.call = null;
    this.stage.clear();
    this.media.stopAll();
    this.room = null;
    this.self = null;
    this.peers = new Map();
    this.participants.replaceChildren();
  }

  #end(reason) {
    if (this.room === null) return;
    this.#teardown();
    this.onEnd(reason);
  }
}
