// Who is speaking: audio levels of every person in the call, self included, sampled ten times a second.
// Remote levels come from each connection's audio receiver, with no decoding of our own: the level of its
// latest packet (getSynchronizationSources) every other sample, and once a second the mean level since the last
// read (inbound-rtp audio energy). A packet read now and then can miss short sounds for good when they repeat
// in step with the samples (Chromium's fake microphone beeps 100 ms every 500 ms); the energy never misses one.
// The local level comes from an analyser on a copy of the microphone track that stays enabled while muted,
// so that speaking while muted can be pointed out.

const SAMPLE_MS = 100;
const THRESHOLD = 0.02;         // audioLevel (0..1, linear, 1 = full scale) above which someone speaks
const HOLD_MS = 1000;           // speaking stays on this long after the last loud sample (no flicker between words)
const PACKET_EVERY = 2;         // samples between reads of a remote peer's latest packet level (each blocks the page's
                                // thread for a hop to WebRTC's thread; the energy covers what falls between)
const ENERGY_EVERY = 10;        // samples between reads of a remote peer's audio energy (1 s: each costs a stats report)
const SETTLE_MS = 2000;         // a connection is left alone this long after it connects: its first frames need
                                // WebRTC's threads more than its speaking light does
const LOCAL_STRIDE = 4;         // every 4th sound sample of the analyser's window makes the local level
const MUTED_WINDOW_MS = 6000;   // loud samples while muted within this window ...
const MUTED_LOUD_SAMPLES = 4;   // ... this many of them show the hint: talking does, a cough does not

export class SpeakingMeter {
  // onSpeaking(key, bool) per person ('self' or a peerId); onActive(key) when the loudest speaker changes;
  // onMutedSpeech() when the user speaks while muted.
  constructor({ onSpeaking, onActive, onMutedSpeech }) {
    this.onSpeaking = onSpeaking;
    this.onActive = onActive;
    this.onMutedSpeech = onMutedSpeech;
    this.sources = new Map(); // key -> () => level
    this.state = new Map();   // key -> {speaking, lastLoud, level}
    this.active = null;
    this.ctx = null;          // one AudioContext for the page's life (see unlock)
    this.local = null;        // {source, clone, node, analyser, buffer}
    this.muted = () => false;
    this.mutedLoud = []; // times of loud samples while muted
    this.timer = null;
  }

  start() {
    if (!this.timer) this.timer = setInterval(() => this.#tick(), SAMPLE_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.setLocalTrack(null);
    for (const key of [...this.sources.keys()]) this.remove(key);
    this.active = null;
  }

  // Makes (or resumes) the meter's audio context. Called from a click (the join): a context made outside a
  // user gesture stays suspended under the autoplay policy, and the local level would read silence.
  unlock() {
    if (typeof AudioContext === 'undefined') return;
    this.ctx ??= new AudioContext();
    if (this.ctx.state !== 'running') this.ctx.resume().catch(() => {});
  }

  // The microphone track (or null); a new track gets a new analyser on the same context.
  setLocalTrack(track) {
    if (this.local?.source === track) return;
    if (this.local) {
      this.local.node.disconnect();
      this.local.clone.stop();
      this.local = null;
    }
    this.unlock();
    if (!track || !this.ctx) {
      this.remove('self'); // no microphone, no speaking light left on
      return;
    }
    const clone = track.clone();
    clone.enabled = true;
    const analyser = this.ctx.createAnalyser();
    analyser.fftSize = 8192; // ~170 ms of sound per sample, more than between two: no short sound is missed
    const node = this.ctx.createMediaStreamSource(new MediaStream([clone]));
    node.connect(analyser);
    const buffer = new Float32Array(analyser.fftSize);
    this.local = { source: track, clone, node, analyser, buffer };
    this.sources.set('self', () => {
      analyser.getFloatTimeDomainData(buffer);
      let sum = 0;
      for (let i = 0; i < buffer.length; i += LOCAL_STRIDE) sum += buffer[i] * buffer[i];
      return Math.sqrt((sum * LOCAL_STRIDE) / buffer.length);
    });
  }

  // A remote peer's level, read from its connection's audio receiver (getPc() -> the current one or null).
  // Read only once connected and settled: before, there is no sound, and each packet read blocks the page's
  // thread until WebRTC's worker thread answers, which is busiest with the call's start (these reads were the
  // page's largest script cost from join to first frames with 4 people). Between packet reads the last level
  // stands, so the loudest speaker does not flicker.
  addPeer(peerId, getPc) {
    const energy = new AudioEnergy();
    let connectedAt = null;
    let samples = 0;
    let packetLevel = 0;
    this.sources.set(peerId, () => {
      const pc = getPc();
      if (pc?.connectionState !== 'connected') {
        connectedAt = null;
        return energy.take();
      }
      const now = performance.timeOrigin + performance.now();
      connectedAt ??= now;
      if (now - connectedAt < SETTLE_MS) return energy.take();
      const sample = samples++;
      const readPackets = sample % PACKET_EVERY === 0;
      if (readPackets) packetLevel = 0;
      for (const receiver of pc.getReceivers()) {
        if (receiver.track?.kind !== 'audio') continue;
        if (readPackets) {
          for (const source of receiver.getSynchronizationSources?.() ?? []) {
            if (now - source.timestamp < 1000) packetLevel = Math.max(packetLevel, source.audioLevel ?? 0);
          }
        }
        if (sample % ENERGY_EVERY === 0) energy.read(receiver);
      }
      return Math.max(packetLevel, energy.take());
    });
  }

  remove(key) {
    this.sources.delete(key);
    if (this.state.get(key)?.speaking) this.onSpeaking(key, false);
    this.state.delete(key);
    if (this.active === key) this.active = null;
  }

  #tick() {
    const now = performance.now();
    let loudest = null;
    for (const [key, read] of this.sources) {
      let level = 0;
      try {
        level = read();
      } catch {
        // a closed connection: silent
      }
      const muted = key === 'self' && this.muted();
      const st = this.state.get(key) ?? { speaking: false, lastLoud: -Infinity, level: 0 };
      st.level = level;
      if (level > THRESHOLD) st.lastLoud = now;
      const speaking = !muted && now - st.lastLoud < HOLD_MS;
      if (speaking !== st.speaking) {
        st.speaking = speaking;
        this.onSpeaking(key, speaking);
      }
      this.state.set(key, st);
      if (speaking && (!loudest || level > this.state.get(loudest).level)) loudest = key;
      if (key === 'self') this.#checkMuted(muted, level > THRESHOLD, now);
    }
    if (loudest && loudest !== this.active) {
      this.active = loudest;
      this.onActive(loudest);
    }
  }

  #checkMuted(muted, loud, now) {
    if (!muted) {
      this.mutedLoud = [];
      return;
    }
    if (!loud) return;
    this.mutedLoud = this.mutedLoud.filter((t) => now - t < MUTED_WINDOW_MS);
    this.mutedLoud.push(now);
    if (this.mutedLoud.length >= MUTED_LOUD_SAMPLES) {
      this.mutedLoud = [];
      this.onMutedSpeech();
    }
  }
}

// The mean level (root of the mean energy) of what one audio receiver played since its previous read, from its
// inbound-rtp totals; read asynchronously, taken by the next sample.
class AudioEnergy {
  constructor() {
    this.energy = null;   // totalAudioEnergy at the previous read
    this.duration = null; // totalSamplesDuration at the previous read
    this.level = 0;       // the mean level of the last window, until taken
  }

  read(receiver) {
    receiver.getStats().then((report) => {
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio' || s.totalSamplesDuration === undefined) return;
        const dE = s.totalAudioEnergy - (this.energy ?? s.totalAudioEnergy);
        const dT = s.totalSamplesDuration - (this.duration ?? s.totalSamplesDuration);
        this.energy = s.totalAudioEnergy;
        this.duration = s.totalSamplesDuration;
        if (dT > 0) this.level = Math.max(this.level, Math.sqrt(dE / dT));
      });
    }, () => {});
  }

  take() {
    const level = this.level;
    this.level = 0;
    return level;
  }
}
