// The mesh: one RTCPeerConnection per remote peer, negotiated with the "perfect negotiation" pattern
// (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example). Either side may offer at any time
// (newcomer's first offer, ICE restarts, a track added later); on a collision the polite side yields.
// Politeness is fixed by comparing peerIds, so both ends always agree on who yields.

// In a mesh each participant uploads one copy of its video per peer: share an upload budget among them.
const UPLOAD_BUDGET_BPS = 3_000_000;
const MAX_VIDEO_BPS = 1_500_000;
const MIN_VIDEO_BPS = 150_000;

export class Call {
  // send(peerId, {description} | {candidate}); tracks() -> {audio, video} (either may be null);
  // onStream(peerId, MediaStream) when a remote track arrives; onState(peerId, iceConnectionState).
  constructor({ selfId, iceServers, send, tracks, onStream, onState }) {
    this.selfId = selfId;
    this.iceServers = iceServers;
    this.send = send;
    this.tracks = tracks;
    this.onStream = onStream;
    this.onState = onState;
    this.outStream = new MediaStream(); // names our tracks' stream (msid) on the far side
    this.links = new Map();             // peerId -> PeerLink
  }

  has(peerId) {
    return this.links.has(peerId);
  }

  // As the newcomer (or to recover a call that never started): create the connection and offer.
  open(peerId) {
    if (!this.links.has(peerId)) this.links.set(peerId, new PeerLink(this, peerId, true));
    return this.links.get(peerId);
  }

  get videoBitrate() {
    const share = Math.floor(UPLOAD_BUDGET_BPS / Math.max(1, this.links.size));
    return Math.max(MIN_VIDEO_BPS, Math.min(MAX_VIDEO_BPS, share));
  }

  // Called whenever the number of peers or a negotiation changes.
  limitBitrates() {
    const bps = this.videoBitrate;
    for (const link of this.links.values()) link.limitVideo(bps);
  }

  // A signal from a peer; the first one (normally its offer) creates the connection on this side.
  signal(from, data) {
    let link = this.links.get(from);
    if (!link) {
      link = new PeerLink(this, from, false);
      this.links.set(from, link);
    }
    return link.receive(data);
  }

  // Sends `track` (or nothing) as this kind to everyone.
  setTrack(kind, track) {
    return Promise.allSettled([...this.links.values()].map((link) => link.setTrack(kind, track)));
  }

  // After a reconnect: connections whose ICE gave up start over on the new network path.
  restartStale() {
    for (const link of this.links.values()) link.restartIfStale();
  }

  restart(peerId) {
    this.links.get(peerId)?.restartIfStale();
  }

  close(peerId) {
    this.links.get(peerId)?.close();
    this.links.delete(peerId);
    this.limitBitrates();
  }

  closeAll() {
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }
}

class PeerLink {
  constructor(call, peerId, initiator) {
    this.call = call;
    this.peerId = peerId;
    this.polite = call.selfId < peerId;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.settingRemoteAnswer = false;
    this.closed = false;
    this.remote = new MediaStream();
    const pc = new RTCPeerConnection({ iceServers: call.iceServers });
    this.pc = pc;

    pc.ontrack = ({ track }) => {
      // One stream per peer; a newer track of a kind replaces the older one.
      for (const old of this.remote.getTracks()) {
        if (old.kind === track.kind && old !== track) this.remote.removeTrack(old);
      }
      if (!this.remote.getTrackById(track.id)) this.remote.addTrack(track);
      call.onStream(peerId, this.remote);
    };
    pc.onicecandidate = ({ candidate }) => {
      // The end-of-candidates marker (null or empty) is not sent: the protocol has no use for it.
      if (candidate && candidate.candidate) this.#send({ candidate: candidate.toJSON() });
    };
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.#send({ description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
      } catch (err) {
        console.warn(`huddle: offer to ${peerId} failed`, err);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onsignalingstatechange = () => {
      // Encodings exist only once negotiated; a newcomer also lowers everyone's share.
      if (pc.signalingState === 'stable') call.limitBitrates();
    };
    pc.oniceconnectionstatechange = () => {
      if (pc.iceConnectionState === 'failed') pc.restartIce();
      call.onState(peerId, pc.iceConnectionState);
    };

    const { audio, video } = call.tracks();
    for (const [kind, track] of [['audio', audio], ['video', video]]) {
      if (track) pc.addTrack(track, call.outStream);
      // Without a track of a kind the newcomer still asks to receive it, so that there is an offer at
      // all and the others' media flows; a track added later reuses this transceiver.
      else if (initiator) pc.addTransceiver(kind, { direction: 'recvonly' });
    }
  }

  async receive({ description, candidate }) {
    const pc = this.pc;
    try {
      if (description) {
        const readyForOffer = !this.makingOffer
          && (pc.signalingState === 'stable' || this.settingRemoteAnswer);
        const offerCollision = description.type === 'offer' && !readyForOffer;
        this.ignoreOffer = !this.polite && offerCollision;
        if (this.ignoreOffer) return;
        this.settingRemoteAnswer = description.type === 'answer';
        await pc.setRemoteDescription(description);
        this.settingRemoteAnswer = false;
        if (description.type === 'offer') {
          this.#attachTracksToOffer();
          await pc.setLocalDescription();
          this.#send({ description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
        }
      } else if (candidate) {
        try {
          await pc.addIceCandidate(candidate);
        } catch (err) {
          if (!this.ignoreOffer) throw err;
        }
      }
    } catch (err) {
      if (!this.closed) console.warn(`huddle: signal from ${this.peerId} failed`, err);
    }
  }

  // An offer may bring transceivers this side has no track on yet (e.g. this side was the polite one
  // and rolled back): send our tracks on them so the answer carries our media without a second round.
  #attachTracksToOffer() {
    const { audio, video } = this.call.tracks();
    for (const [kind, track] of [['audio', audio], ['video', video]]) {
      if (!track) continue;
      const all = this.#transceivers(kind);
      if (all.some((t) => t.sender.track === track)) continue;
      const free = all.find((t) => t.mid !== null && !t.sender.track);
      if (!free) continue;
      free.sender.replaceTrack(track).catch(() => {});
      free.sender.setStreams?.(this.call.outStream);
      if (!free.direction.includes('send')) free.direction = 'sendrecv';
    }
  }

  async setTrack(kind, track) {
    if (this.closed) return;
    const all = this.#transceivers(kind);
    const current = all.find((t) => t.sender.track) ?? all.find((t) => t.mid !== null) ?? all[0];
    if (!current) {
      if (track) this.pc.addTrack(track, this.call.outStream); // renegotiates: a new m-line
      return;
    }
    if (current.sender.track === track) return;
    await current.sender.replaceTrack(track);
    if (track && !current.direction.includes('send')) {
      // This side never sent this kind before: one renegotiation, then replaceTrack from there on.
      current.sender.setStreams?.(this.call.outStream);
      current.direction = 'sendrecv';
    }
  }

  limitVideo(bps) {
    if (this.closed) return;
    for (const transceiver of this.#transceivers('video')) {
      const params = transceiver.sender.getParameters();
      const encoding = params.encodings?.[0];
      if (!encoding || encoding.maxBitrate === bps) continue; // not negotiated yet, or already so
      encoding.maxBitrate = bps;
      transceiver.sender.setParameters(params).catch(() => {});
    }
  }

  restartIfStale() {
    if (this.closed) return;
    const state = this.pc.iceConnectionState;
    if (state === 'failed' || state === 'disconnected') this.pc.restartIce();
  }

  close() {
    this.closed = true;
    this.pc.close();
    for (const track of this.remote.getTracks()) track.stop();
  }

  #transceivers(kind) {
    return this.pc.getTransceivers().filter((t) => !t.stopped && t.currentDirection !== 'stopped'
      && t.receiver.track.kind === kind);
  }

  #send(payload) {
    if (!this.closed) this.call.send(this.peerId, payload);
  }
}
