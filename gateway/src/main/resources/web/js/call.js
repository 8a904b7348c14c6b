// The mesh: one RTCPeerConnection per remote peer, negotiated with the "perfect negotiation" pattern
// (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example). Either side may offer at any time
// (newcomer's first offer, ICE restarts, a track added later); on a collision the polite side yields.
// Politeness is fixed by comparing peerIds, so both ends always agree on who yields.
//
// Each connection also carries a data channel, negotiated with the media (no extra round trip): chat lines and
// media states go over it to the peer at once, ahead of the server's copy (meeting.js).
//
// Nothing may leave a call stuck: an offer that got no answer is rolled back and made again, ICE that
// stays `new`/`checking` or `disconnected` is restarted, a connection that an ICE restart did not bring up is
// replaced by a fresh one on both sides, and candidates that arrive before their description wait for it.
import { sendingProfile } from './quality.js';

// Signals are acknowledged and retried by the server path, so a lost offer or answer is rare; a slow one is
// not (a phone, or a laptop decoding five videos, can take seconds to answer). Timers that fire on a slow
// answer make things worse: the fresh offer crosses the late answer and both sides start over. Hence waits
// of several seconds, and a repeated offer that the far side answers without negotiating again.
const ANSWER_TIMEOUT_MS = 8000;      // an offer unanswered this long is sent again (grows per retry)
const ANSWER_TIMEOUT_MAX_MS = 20000;
const ICE_STUCK_MS = 10000;          // negotiated but ICE still new/checking: restart (the impolite side)
const DISCONNECTED_RESTART_MS = 3000;
const SPARE_CLOSE_DELAY_MS = 3000;  // an unused spare offer is closed this long after the join (see #dropSpare)
const SETTLE_MAX_MS = 3000;         // the next spare answer waits at most this long for the calls under way
const SETTLING = new Set(['new', 'connecting']);
const STUCK = new Set(['new', 'checking', 'failed']); // not up (yet): restarted, then started over (#watchIce)

export class Call {
  // send(peerId, {description} | {candidate}) -> Promise (rejects when the server refused it);
  // tracks() -> {audio, video} (either may be null); onStream(peerId, MediaStream) when a remote stream
  // arrives; onState(peerId, iceConnectionState); onMessage(peerId, text) for a message on a peer's data channel.
  constructor({ selfId, iceServers, send, tracks, onStream, onState, onMessage = () => {}, spare = null }) {
    this.selfId = selfId;
    this.spare = spare;                 // a connection offered in advance (SpareOffer), for the first peer called
    this.spareAnswer = null;            // a connection made in advance (SpareAnswer), for the next peer who calls
    this.settleTimer = null;            // a spare answer waiting for the calls under way (#prepareAnswerWhenSettled)
    this.ended = false;                 // closeAll() was called: no spare is made any more
    this.iceServers = iceServers;
    this.send = send;
    this.tracks = tracks;
    this.onStream = onStream;
    this.onState = onState;
    this.onMessage = onMessage;
    this.screenSharing = () => false;
    this.outStream = new MediaStream(); // names our tracks' stream (msid) on the far side
    this.links = new Map();             // peerId -> PeerLink
    this.retired = new Set();           // session ids of peers' connections replaced by fresh ones (#retire)
  }

  link(peerId) {
    return this.links.get(peerId) ?? null;
  }

  // As the newcomer (or to recover a call that never started): create the connection and offer.
  open(peerId) {
    if (!this.links.has(peerId)) {
      const spare = this.spare?.fits(this.tracks()) ? this.spare : null;
      this.#dropSpare(spare);
      this.links.set(peerId, new PeerLink(this, peerId, true, spare));
      this.limitVideo();
    }
    return this.links.get(peerId);
  }

  // The spare connection, unless it is `kept`, is closed: everyone there has been called (or nobody was). Closing
  // waits a little: close() blocks the page's thread until WebRTC's own thread answers (10-40 ms measured here),
  // and this comes when the call's first offers and answers are to be handled.
  #dropSpare(kept = null) {
    const spare = this.spare;
    if (spare && spare !== kept) setTimeout(() => spare.close(), SPARE_CLOSE_DELAY_MS);
    this.spare = null;
  }

  // A peer that should have called us has not: call it (or nudge a connection that never negotiated).
  ensure(peerId) {
    const link = this.links.get(peerId);
    if (!link) this.open(peerId);
    else link.nudge();
  }

  // Every sender's video sized for the number of people in the call (quality.js).
  limitVideo() {
    const profile = sendingProfile(this.links.size + 1, this.screenSharing());
    for (const link of this.links.values()) link.limitVideo(profile);
  }

  // A signal from a peer; the first one (normally its offer) creates the connection on this side. An offer
  // that cannot apply to this connection (the two sides' histories diverged after a lost answer) gets a
  // fresh connection: the peer's offer starts the call over.
  async signal(from, data) {
    let link = this.links.get(from);
    if (!link) {
      const spare = this.#takeSpareAnswer();
      link = new PeerLink(this, from, false, spare);
      this.links.set(from, link);
      this.limitVideo();
      this.#prepareAnswerWhenSettled(); // for the next one (also when the one kept no longer fit)
    }
    if (await link.receive(data) !== 'diverged' || this.links.get(from) !== link) return;
    console.warn(`huddle: the call with ${from} diverged; starting it over`);
    if (link.remoteSession !== origin(data.description.sdp)?.session) this.#retire(link);
    link.close();
    const fresh = new PeerLink(this, from, false);
    this.links.set(from, fresh);
    await fresh.receive(data);
    this.limitVideo();
  }

  // A connection that ICE restarts did not bring up (seen here once, under load, after an offer collision: its
  // transport never gathered again) is replaced: the fresh connection's offer comes from another session, so the
  // peer's page starts over too (PeerLink.receive).
  startOver(peerId) {
    const old = this.links.get(peerId);
    if (!old || this.ended) return;
    this.#retire(old);
    old.close();
    this.links.set(peerId, new PeerLink(this, peerId, true));
    this.limitVideo();
  }

  // An offer that the peer's replaced connection still sends (in flight) is dropped: it would otherwise start this
  // side over again, onto a connection the peer has closed. Its answers are let through: a peer that had applied
  // nothing of ours answers the fresh offer from the connection it has, and that answer is the one to apply.
  #retire(link) {
    if (link.remoteSession !== null) this.retired.add(link.remoteSession);
  }

  // Sends `message` (JSON) over the data channel to `peerId`, or to everyone when it is null; returns the peerIds
  // whose channel was open (the others get it from the server only).
  sendDirect(peerId, message) {
    const text = JSON.stringify(message);
    const links = peerId === null ? [...this.links.values()] : [this.links.get(peerId)].filter(Boolean);
    return links.filter((link) => link.sendDirect(text)).map((link) => link.peerId);
  }

  // Sends `track` (or nothing) as this kind to everyone.
  setTrack(kind, track) {
    return Promise.allSettled([...this.links.values()].map((link) => link.setTrack(kind, track)))
      .then(() => this.limitVideo());
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
    this.limitVideo();
  }

  // Everyone in the room when we entered has been called: the spare offer, if unused, goes, and a connection
  // for whoever joins next and calls us is made.
  calledEveryone() {
    this.#dropSpare();
    this.#prepareAnswerWhenSettled();
  }

  // The next spare answer, once every call under way is up (or after SETTLE_MAX_MS): made while one
  // negotiates, its setup took WebRTC's thread from that call's answer and first frames.
  #prepareAnswerWhenSettled(since = performance.now()) {
    clearTimeout(this.settleTimer);
    this.settleTimer = null;
    const settling = [...this.links.values()].some((link) => SETTLING.has(link.pc.connectionState));
    if (!settling || performance.now() - since >= SETTLE_MAX_MS) this.#prepareAnswerSoon();
    else this.settleTimer = setTimeout(() => this.#prepareAnswerWhenSettled(since), 100);
  }

  // In a task of its own, after the one at hand: a connection with our tracks for the next peer who calls
  // (SpareAnswer), unless one that fits is ready.
  #prepareAnswerSoon() {
    setTimeout(() => {
      if (this.ended || this.spareAnswer?.fits(this.tracks())) return;
      this.spareAnswer?.close();
      this.spareAnswer = new SpareAnswer(this.iceServers, this.tracks(), this.outStream);
    });
  }

  #takeSpareAnswer() {
    const spare = this.spareAnswer;
    this.spareAnswer = null;
    if (spare?.fits(this.tracks())) return spare;
    spare?.close();
    return null;
  }

  closeAll() {
    this.ended = true;
    clearTimeout(this.settleTimer);
    for (const spare of [this.spare, this.spareAnswer]) spare?.close();
    this.spare = null;
    this.spareAnswer = null;
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }
}

// A connection with our tracks made ahead of need, for as long as the tracks it was made with are the user's.
class Spare {
  constructor(iceServers, tracks, stream, initiator) {
    this.pc = connection(iceServers);
    this.tracks = tracks;
    addTracks(this.pc, tracks, stream, initiator);
    this.channel = dataChannel(this.pc);
  }

  fits({ audio, video }) {
    return this.pc.signalingState !== 'closed' && this.tracks.audio === audio && this.tracks.video === video;
  }

  close() {
    this.pc.close();
  }
}

// A connection with our tracks and its offer made while the join is on its way: the newcomer's first offer is
// the slowest step of a call's start on a busy laptop (tens of milliseconds to make the offer, then ICE
// gathering), and it does not depend on who the peer is. The first peer of the join's reply gets it.
export class SpareOffer extends Spare {
  constructor({ iceServers, audio, video }) {
    const stream = new MediaStream();
    super(iceServers, { audio, video }, stream, true);
    this.stream = stream;
    this.candidates = []; // gathered before a peer to send them to is known
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) this.candidates.push(candidate.toJSON());
    };
    this.ready = this.pc.setLocalDescription().then(() => true, (err) => {
      console.debug('huddle: no offer in advance', err.message);
      return false;
    });
  }
}

// A connection with our tracks, waiting for the next peer's offer: making one and adding the tracks took the
// page's thread 30-60 ms between an offer's arrival and its answer on a busy laptop. The tracks' transceivers
// are taken by the offer's audio and video (JSEP reuses those made by addTrack).
class SpareAnswer extends Spare {
  constructor(iceServers, tracks, stream) {
    super(iceServers, tracks, stream, false);
  }

  fits(tracks) {
    return this.pc.signalingState === 'stable' && super.fits(tracks);
  }
}

class PeerLink {
  // spare: a SpareOffer (we call, its offer is sent) or a SpareAnswer (the peer calls, its connection is used).
  constructor(call, peerId, initiator, spare = null) {
    this.call = call;
    this.peerId = peerId;
    this.polite = call.selfId < peerId;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.settingRemoteAnswer = false;
    this.closed = false;
    this.offers = 0;              // offers made; a timer acts only on the offer it was set for
    this.localSeq = 0;            // local descriptions set; a retried send stops once a newer one exists
    this.answerTimer = null;
    this.iceTimer = null;
    this.watching = null;         // what iceTimer waits on: 'stuck' (not up yet), 'disconnected' or nothing
    this.pendingCandidates = [];  // arrived before a remote description to apply them to
    this.profiles = new WeakMap(); // video sender -> the sending profile set on it (JSON)
    this.lastOffer = null;        // origin (session id and version) of the last remote offer applied
    this.remoteSession = null;    // session id of the peer's connection, from its descriptions applied
    this.restarts = 0;            // ICE restarts since ICE last came up
    this.stream = null;           // the remote stream, attached to its video once
    const offered = spare instanceof SpareOffer ? spare : null;
    this.outStream = offered?.stream ?? call.outStream; // names our tracks' stream on the far side
    this.heldCandidates = offered ? [] : null; // gathered before the spare's offer is sent
    this.sentSdp = null;          // the last local description sent (see #described)
    const pc = spare?.pc ?? connection(call.iceServers);
    this.pc = pc;

    pc.ontrack = ({ track, streams }) => {
      // The far side names one stream for all its tracks: attach that once; a later track joins it.
      const stream = streams[0] ?? this.stream ?? new MediaStream();
      if (!stream.getTrackById(track.id)) stream.addTrack(track);
      if (stream !== this.stream) {
        this.stream = stream;
        call.onStream(peerId, stream);
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      // No reply needed per candidate (none is sent); the end-of-candidates marker is not sent.
      if (!candidate || !candidate.candidate || this.#described(candidate.candidate)) return;
      if (this.heldCandidates) this.heldCandidates.push(candidate.toJSON());
      else this.#send({ candidate: candidate.toJSON() }, false);
    };
    pc.onnegotiationneeded = () => this.#offer();
    pc.onsignalingstatechange = () => {
      if (pc.signalingState === 'stable') {
        clearTimeout(this.answerTimer);
        call.limitVideo(); // encodings exist only once negotiated
        this.#watchIce();
      }
    };
    pc.onconnectionstatechange = () => this.#watchIce();
    pc.oniceconnectionstatechange = () => {
      const state = pc.iceConnectionState;
      if (state === 'failed') pc.restartIce();
      this.#watchIce();
      call.onState(peerId, state);
    };

    if (!spare) addTracks(pc, call.tracks(), this.outStream, initiator);
    this.channel = spare?.channel ?? dataChannel(pc);
    this.channel.onmessage = ({ data }) => {
      if (!this.closed && typeof data === 'string') call.onMessage(peerId, data);
    };
    if (offered) this.#sendSpareOffer(offered);
  }

  // The offer made in advance goes out as soon as it exists, then the candidates gathered meanwhile (the far
  // side applies candidates to a description).
  async #sendSpareOffer(spare) {
    this.makingOffer = true; // as in #offer: an offer from the peer meanwhile is a collision
    const made = await spare.ready;
    this.makingOffer = false;
    if (this.closed) return;
    if (made && this.pc.signalingState === 'have-local-offer') {
      this.localSeq += 1;
      const seq = ++this.offers;
      this.#send({ description: this.#local() }, true);
      this.#expectAnswer(seq);
    }
    const held = [...spare.candidates, ...this.heldCandidates];
    this.heldCandidates = null;
    for (const candidate of held) {
      if (!this.#described(candidate.candidate)) this.#send({ candidate }, false);
    }
    if (!made) this.#offer(); // none was made in advance: the usual way (a remote offer that won is answered)
  }

  async #offer({ iceRestart = false } = {}) {
    const pc = this.pc;
    if (this.closed || this.makingOffer || pc.signalingState !== 'stable') return;
    try {
      this.makingOffer = true;
      if (iceRestart) pc.restartIce();
      await pc.setLocalDescription();
      this.localSeq += 1;
      if (pc.signalingState !== 'have-local-offer') return; // a remote offer won meanwhile
      const seq = ++this.offers;
      this.#send({ description: this.#local() }, true);
      this.#expectAnswer(seq);
    } catch (err) {
      if (!this.closed) console.warn(`huddle: offer to ${this.peerId} failed`, err);
    } finally {
      this.makingOffer = false;
    }
  }

  // No answer in time: the offer or its answer was lost. First the same offer goes again (the peer answers
  // a repeated offer again, whichever of the two was lost); if that gets no answer either, the offer is
  // rolled back and made afresh with new ICE credentials, waiting a little longer each time.
  #expectAnswer(seq, resent = false) {
    clearTimeout(this.answerTimer);
    const wait = Math.min(ANSWER_TIMEOUT_MAX_MS, ANSWER_TIMEOUT_MS * 1.5 ** Math.min(seq - 1, 6));
    this.answerTimer = setTimeout(async () => {
      if (this.closed || seq !== this.offers || this.pc.signalingState !== 'have-local-offer') return;
      if (!resent) {
        console.warn(`huddle: no answer from ${this.peerId}; sending the offer again`);
        this.#send({ description: this.#local() }, true);
        this.#expectAnswer(seq, true);
        return;
      }
      console.warn(`huddle: still no answer from ${this.peerId}; offering afresh`);
      try {
        await this.pc.setLocalDescription({ type: 'rollback' });
        this.localSeq += 1;
      } catch (err) {
        console.debug('huddle: rollback not needed', err.message); // the answer came meanwhile
        return;
      }
      this.#offer({ iceRestart: true });
    }, wait);
  }

  // Called when a peer that should have offered did not: offer if nothing was ever negotiated.
  nudge() {
    if (!this.closed && !this.pc.remoteDescription && this.pc.signalingState === 'stable') this.#offer();
  }

  async receive({ description, candidate }) {
    const pc = this.pc;
    try {
      if (description) {
        const readyForOffer = !this.makingOffer
          && (pc.signalingState === 'stable' || this.settingRemoteAnswer);
        const session = origin(description.sdp)?.session ?? null;
        if (description.type === 'offer' && session !== null && session !== this.remoteSession) {
          if (this.call.retired.has(session)) return; // from a connection replaced here, still on its way
          if (this.remoteSession !== null) return 'diverged'; // the peer replaced its connection: so does this side
        }
        const offerCollision = description.type === 'offer' && !readyForOffer;
        this.ignoreOffer = !this.polite && offerCollision;
        if (this.ignoreOffer) return;
        if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') return; // a late duplicate
        if (description.type === 'offer' && this.#repeated(description)) {
          // The same offer again (its sender saw no answer in time): answer it again, do not renegotiate.
          if (pc.signalingState === 'stable' && pc.localDescription?.type === 'answer') {
            this.#send({ description: this.#local() }, true);
          }
          return;
        }
        this.settingRemoteAnswer = description.type === 'answer';
        try {
          await pc.setRemoteDescription(withStartBitrate(description));
        } catch (err) {
          if (description.type === 'offer' && err.name === 'InvalidAccessError') return 'diverged';
          throw err;
        }
        this.settingRemoteAnswer = false;
        this.remoteSession = session;
        if (description.type === 'offer') {
          this.lastOffer = origin(description.sdp);
          this.#attachTracksToOffer();
          await pc.setLocalDescription();
          this.localSeq += 1;
          this.#send({ description: this.#local() }, true);
        }
        // Candidates that came before their description go in after the answer is out: each is an operation
        // on the connection's chain, and ahead of the answer they held it up (by 180-300 ms with 4 people).
        await this.#flushCandidates();
      } else if (candidate) {
        if (!pc.remoteDescription) {
          this.pendingCandidates.push(candidate); // its description was delayed (retried) or is in flight
          return;
        }
        await this.#addCandidate(candidate);
      }
    } catch (err) {
      this.settingRemoteAnswer = false;
      if (!this.closed) console.warn(`huddle: signal from ${this.peerId} failed`, err);
    }
  }

  // An offer seen before: same session and a version not newer than the last one applied.
  #repeated(description) {
    const o = origin(description.sdp);
    return o !== null && this.lastOffer !== null && o.session === this.lastOffer.session
      && o.version <= this.lastOffer.version;
  }

  async #flushCandidates() {
    const queued = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of queued) await this.#addCandidate(candidate);
  }

  async #addCandidate(candidate) {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (err) {
      // Candidates of an ignored offer or of an older ICE generation are expected to fail.
      if (!this.ignoreOffer) console.debug(`huddle: candidate from ${this.peerId} not applied`, err.message);
    }
  }

  // ICE that does not get anywhere is restarted: stuck in new/checking after negotiating (the impolite
  // side acts first, the polite one later, so both do not restart at once), or disconnected a few seconds.
  // If it is still not up after a restart, the impolite side starts the connection over (Call.startOver);
  // a connection that was up and lost its path (disconnected) is only restarted: the path may come back.
  #watchIce() {
    if (this.closed) return;
    const state = this.#state();
    if (state === 'connected' || state === 'completed') this.restarts = 0;
    let watch = null;
    if (STUCK.has(state) && this.pc.remoteDescription) watch = 'stuck';
    else if (state === 'disconnected') watch = 'disconnected';
    // A timer already running for the same trouble keeps its time: ICE that goes round new, checking and failed
    // would otherwise put it off for ever.
    if (watch !== null && watch === this.watching) return;
    clearTimeout(this.iceTimer);
    this.watching = watch;
    if (watch === null) return;
    const wait = watch === 'disconnected' ? DISCONNECTED_RESTART_MS : this.polite ? ICE_STUCK_MS * 2 : ICE_STUCK_MS;
    this.iceTimer = setTimeout(() => {
      this.watching = null;
      const now = this.#state();
      if (this.closed || (!STUCK.has(now) && now !== 'disconnected')) return;
      if (now !== 'disconnected' && this.restarts > 0 && !this.polite) {
        console.warn(`huddle: connection with ${this.peerId} still ${now} after an ICE restart; starting it over`);
        this.call.startOver(this.peerId);
        return;
      }
      this.restarts += 1;
      console.warn(`huddle: connection with ${this.peerId} is ${now}; restarting ICE`);
      if (this.pc.signalingState === 'stable') this.#offer({ iceRestart: true });
      this.#watchIce(); // and again later if this did not help
    }, wait);
  }

  // ICE's state, as far as the whole connection is concerned: a path without a secure session on it (DTLS failed,
  // or not done) is not up, and no ICE restart mends it (after one, Chromium may report such a connection as
  // connecting for good rather than failed).
  #state() {
    const ice = this.pc.iceConnectionState;
    const whole = this.pc.connectionState;
    if (whole === 'failed') return 'failed';
    if ((ice === 'connected' || ice === 'completed') && whole !== 'connected') return 'checking';
    return ice;
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
      free.sender.setStreams?.(this.outStream);
      if (!free.direction.includes('send')) free.direction = 'sendrecv';
    }
  }

  async setTrack(kind, track) {
    if (this.closed) return;
    const all = this.#transceivers(kind);
    const current = all.find((t) => t.sender.track) ?? all.find((t) => t.mid !== null) ?? all[0];
    if (!current) {
      if (track) this.pc.addTrack(track, this.outStream); // renegotiates: a new m-line
      return;
    }
    if (current.sender.track === track) return;
    await current.sender.replaceTrack(track);
    if (track && !current.direction.includes('send')) {
      // This side never sent this kind before: one renegotiation, then replaceTrack from there on.
      current.sender.setStreams?.(this.outStream);
      current.direction = 'sendrecv';
    }
  }

  // Each sender's profile is set once: getParameters() blocks the page's thread on WebRTC's, and this runs for
  // every connection each time one of them is negotiated.
  limitVideo(profile) {
    if (this.closed) return;
    const key = JSON.stringify(profile);
    for (const transceiver of this.#transceivers('video')) {
      const sender = transceiver.sender;
      if (this.profiles.get(sender) === key) continue;
      const params = sender.getParameters();
      const encoding = params.encodings?.[0];
      if (!encoding) continue; // not negotiated yet
      this.profiles.set(sender, key);
      if (encoding.maxBitrate === profile.maxBitrate && encoding.maxFramerate === profile.maxFramerate
        && encoding.scaleResolutionDownBy === profile.scaleResolutionDownBy) continue;
      Object.assign(encoding, profile);
      sender.setParameters(params).catch((err) => {
        this.profiles.delete(sender);
        console.debug('huddle: sender parameters not set', err.message);
      });
    }
  }

  // False when the channel is not open (not yet, or the peer's page has gone): the caller relies on the server.
  sendDirect(text) {
    if (this.closed || this.channel.readyState !== 'open') return false;
    try {
      this.channel.send(text);
      return true;
    } catch (err) {
      console.debug(`huddle: data channel to ${this.peerId} refused a message`, err.message);
      return false;
    }
  }

  restartIfStale() {
    if (this.closed) return;
    const state = this.pc.iceConnectionState;
    if (state === 'failed' || state === 'disconnected') this.pc.restartIce();
  }

  close() {
    this.closed = true;
    clearTimeout(this.answerTimer);
    clearTimeout(this.iceTimer);
    this.pc.close();
  }

  // The local description as sent: it carries the candidates gathered by then, which need no message of their own.
  #local() {
    this.sentSdp = this.pc.localDescription.sdp;
    return { type: this.pc.localDescription.type, sdp: this.sentSdp };
  }

  // Whether a candidate went out inside the last description sent: its line there ("a=candidate:...") starts
  // with the same foundation, component, protocol, priority, address, port and type (the attributes after
  // those differ in form).
  #described(candidate) {
    if (this.sentSdp === null) return false;
    const key = candidate.split(' ').slice(0, 8).join(' ');
    return this.sentSdp.includes(`\na=${key} `) || this.sentSdp.includes(`\na=${key}\r`);
  }

  #transceivers(kind) {
    return this.pc.getTransceivers().filter((t) => !t.stopped && t.currentDirection !== 'stopped'
      && t.receiver.track.kind === kind);
  }

  // Descriptions are retried by the sender (meeting.js) while they are still this side's current one.
  #send(payload, reliable) {
    if (this.closed) return;
    const seq = this.localSeq;
    const current = () => !this.closed && this.localSeq === seq;
    this.call.send(this.peerId, payload, reliable ? current : null);
  }
}

function connection(iceServers) {
  return new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' });
}

// Both ends create the same channel (negotiated, id 0) before the offer or answer, so it needs no signalling of
// its own and opens with the connection. Ordered and reliable: a peer's lines come in the order typed.
function dataChannel(pc) {
  return pc.createDataChannel('huddle', { negotiated: true, id: 0 });
}

// Our tracks, named as one stream. Without a track of a kind the newcomer (`initiator`) still asks to receive
// it, so that there is an offer at all and the others' media flows; a track added later reuses that transceiver.
function addTracks(pc, { audio, video }, stream, initiator) {
  for (const [kind, track] of [['audio', audio], ['video', video]]) {
    if (track) pc.addTrack(track, stream);
    else if (initiator) pc.addTransceiver(kind, { direction: 'recvonly' });
  }
}

// Video sent on a new connection starts at this rate (kbps) instead of WebRTC's 300: the first keyframe leaves at the
// pacer's rate, which follows it, so the first frames show sooner (connection up to first frame, 2 people: 52 ms
// against 74-125 ms) and sharper. Every encoder stays within its sendingProfile cap (quality.js), at most 800, and
// the bandwidth estimate comes down from here on a slower link. Chromium reads it from the video codecs' fmtp in the
// remote description (so each side asks it of the other's sending); other browsers ignore the parameter. Later
// descriptions (renegotiation, ICE restart) carry the same rate, which WebRTC does not take as a restart of its
// estimate.
const START_KBPS = 800;

function withStartBitrate(description) {
  if (!description?.sdp || description.sdp.includes('x-google-start-bitrate')) return description;
  let sdp = description.sdp;
  for (const [, pt] of sdp.matchAll(/^a=rtpmap:(\d+) (?:VP8|VP9|H264|AV1)\/90000\r?$/gm)) {
    const fmtp = new RegExp(`^(a=fmtp:${pt} .*?)(\r?)$`, 'm');
    sdp = fmtp.test(sdp)
      ? sdp.replace(fmtp, `$1;x-google-start-bitrate=${START_KBPS}$2`)
      : sdp.replace(new RegExp(`^(a=rtpmap:${pt} .*?)(\r?)$`, 'm'),
        `$1$2\na=fmtp:${pt} x-google-start-bitrate=${START_KBPS}$2`);
  }
  return { type: description.type, sdp };
}

// The SDP origin line: `o=<user> <session id> <version> ...`; the version grows with every new description.
function origin(sdp) {
  const m = /^o=\S+ (\d+) (\d+)/m.exec(sdp ?? '');
  return m ? { session: m[1], version: BigInt(m[2]) } : null;
}
