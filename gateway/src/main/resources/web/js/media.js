// The local side of the call: microphone, camera and screen tracks, and the devices to choose from.
// Whoever listens to `onchange` pushes the tracks into the peer connections (RTCRtpSender.replaceTrack),
// so switching a device or sharing the screen never renegotiates the call.

const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
// Sized for a mesh on a laptop: every participant encodes and uploads one copy per other participant.
// 640x360 at up to 24 fps suits 2 or 3 people; senders scale it down further as the room grows (quality.js).
const VIDEO = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 24 } };

const ADVICE = {
  insecure: 'Camera and microphone need a secure page (https:// or localhost). You can still listen and chat.',
  denied: 'Camera and microphone are blocked for this site. Allow them in the browser\'s site settings '
    + '(the icon next to the address), then press Unmute / Start video. Meanwhile you can listen and chat.',
  missing: 'No camera or microphone was found. Connect one, then press Unmute / Start video. '
    + 'Meanwhile you can listen and chat.',
  busy: 'The camera or microphone is in use by another app. Close that app, then press Unmute / Start video.',
  noCamera: 'No camera available: you joined with audio only.',
  noMic: 'No microphone available: others can see you but not hear you.',
};

function advice(err) {
  switch (err?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return ADVICE.denied;
    case 'NotReadableError':
    case 'AbortError':
      return ADVICE.busy;
    default:
      return ADVICE.missing;
  }
}

export class LocalMedia {
  constructor() {
    this.audio = null;    // microphone track; muting disables it, so the sender keeps its track
    this.camera = null;   // camera track; null while the camera is off (the light goes out too)
    this.screen = null;   // screen-share track, sent instead of the camera while present
    this.facing = null;   // 'user' | 'environment' when the browser reports it
    this.micId = '';      // preferred devices, kept while the track is off
    this.cameraId = '';
    this.asked = false;
    this.stops = 0;       // stopAll() calls: a device asked for before the last one is not kept
    this.onchange = () => {};
  }

  get supported() {
    return Boolean(navigator.mediaDevices?.getUserMedia);
  }

  get canShareScreen() {
    return Boolean(navigator.mediaDevices?.getDisplayMedia);
  }

  // The video track peers receive.
  get video() {
    return this.screen ?? this.camera;
  }

  get muted() {
    return !this.audio || !this.audio.enabled;
  }

  state() {
    return { audio: !this.muted, video: this.camera !== null, screen: this.screen !== null };
  }

  // Tracks were already asked for (the pre-join preview): joining keeps the choices made there.
  get started() {
    return this.asked;
  }

  // Asks for both devices at once (one prompt); if that fails for a reason other than a refusal, tries
  // each alone so a missing camera still leaves the microphone. Resolves with advice for the user or null.
  async start() {
    this.asked = true;
    if (!this.supported) return ADVICE.insecure;
    try {
      const stream = await this.#open(() => navigator.mediaDevices.getUserMedia({
        audio: AUDIO, video: this.#videoConstraints(),
      }));
      if (!stream) return null;
      this.#take(stream.getAudioTracks()[0] ?? null, 'audio');
      this.#take(stream.getVideoTracks()[0] ?? null, 'video');
      return null;
    } catch (err) {
      if (err.name === 'NotAllowedError' || err.name === 'SecurityError') return advice(err);
      const [audio, video] = await Promise.allSettled([this.#get('audio'), this.#get('video')]);
      if (audio.status === 'fulfilled') this.#take(audio.value, 'audio');
      if (video.status === 'fulfilled') this.#take(video.value, 'video');
      if (this.audio && this.camera) return null;
      if (this.audio) return ADVICE.noCamera;
      if (this.camera) return ADVICE.noMic;
      return advice(audio.reason ?? err);
    }
  }

  // Unmuting without a microphone (refused or missing at join) asks again.
  async setMuted(muted) {
    if (!muted && !this.audio) {
      this.#take(await this.#get('audio'), 'audio');
      this.onchange('audio');
      return;
    }
    if (this.audio) this.audio.enabled = !muted;
    this.onchange('state');
  }

  async setCameraOn(on) {
    if (on === (this.camera !== null)) return;
    if (!on) {
      this.camera.stop();
      this.camera = null;
    } else {
      this.#take(await this.#get('video'), 'video');
    }
    this.onchange('video');
  }

  async selectCamera(deviceId) {
    this.cameraId = deviceId;
    this.facing = null;
    if (this.camera) await this.#replaceCamera();
  }

  async flipCamera() {
    this.facing = this.facing === 'environment' ? 'user' : 'environment';
    this.cameraId = '';
    if (this.camera) await this.#replaceCamera();
  }

  async selectMic(deviceId) {
    this.micId = deviceId;
    if (!this.audio) return;
    const muted = this.muted;
    // Stop first: some phones cannot open two microphones at once.
    this.audio.stop();
    this.audio = null;
    try {
      this.#take(await this.#get('audio'), 'audio');
      if (this.audio) this.audio.enabled = !muted;
    } finally {
      this.onchange('audio');
    }
  }

  async startScreen() {
    const stream = await this.#open(() => navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }));
    const track = stream?.getVideoTracks()[0];
    if (!track) return;
    track.contentHint = 'detail';
    // The browser's own "Stop sharing" ends the track: go back to the camera then as well.
    track.addEventListener('ended', () => {
      if (this.screen === track) this.stopScreen();
    });
    this.screen?.stop();
    this.screen = track;
    this.onchange('video');
  }

  stopScreen() {
    if (!this.screen) return;
    this.screen.stop();
    this.screen = null;
    this.onchange('video');
  }

  stopAll() {
    this.stops++;
    this.asked = false;
    for (const track of [this.audio, this.camera, this.screen]) track?.stop();
    this.audio = null;
    this.camera = null;
    this.screen = null;
  }

  // Lists devices (outputs too); `flip` says whether the device has both a front and a back camera.
  async devices() {
    if (!navigator.mediaDevices?.enumerateDevices) return { cameras: [], mics: [], speakers: [], flip: false };
    const all = await navigator.mediaDevices.enumerateDevices();
    const cameras = all.filter((d) => d.kind === 'videoinput' && d.deviceId);
    const mics = all.filter((d) => d.kind === 'audioinput' && d.deviceId);
    const speakers = all.filter((d) => d.kind === 'audiooutput' && d.deviceId);
    const facings = new Set();
    for (const cam of cameras) {
      for (const mode of cam.getCapabilities?.().facingMode ?? []) facings.add(mode);
      if (/front|user|facing front/i.test(cam.label)) facings.add('user');
      if (/back|rear|environment|facing back/i.test(cam.label)) facings.add('environment');
    }
    return { cameras, mics, speakers, flip: cameras.length > 1 && facings.has('user') && facings.has('environment') };
  }

  currentDeviceId(kind) {
    const track = kind === 'audio' ? this.audio : this.camera;
    return track?.getSettings().deviceId ?? (kind === 'audio' ? this.micId : this.cameraId);
  }

  async #replaceCamera() {
    // Stop first: most phones cannot open the front and the back camera at the same time.
    this.camera.stop();
    this.camera = null;
    try {
      this.#take(await this.#get('video'), 'video');
    } finally {
      this.onchange('video');
    }
  }

  #videoConstraints() {
    if (this.cameraId) return { ...VIDEO, deviceId: { exact: this.cameraId } };
    if (this.facing) return { ...VIDEO, facingMode: { exact: this.facing } };
    return { ...VIDEO, facingMode: 'user' };
  }

  async #get(kind) {
    if (!this.supported) throw Object.assign(new Error(ADVICE.insecure), { name: 'SecurityError' });
    const constraints = kind === 'audio'
      ? { audio: this.micId ? { ...AUDIO, deviceId: { exact: this.micId } } : AUDIO }
      : { video: this.#videoConstraints() };
    const stream = await this.#open(() => navigator.mediaDevices.getUserMedia(constraints));
    if (!stream) return null;
    const track = stream.getTracks()[0];
    if (!track) throw Object.assign(new Error('no track'), { name: 'NotFoundError' });
    return track;
  }

  // Opens devices (request() -> a stream), or null when everything was stopped meanwhile: a device the browser
  // opened after the call was left (a camera switched on just before Leave) goes out at once instead of staying on
  // with nobody using it.
  async #open(request) {
    const stops = this.stops;
    const stream = await request();
    if (stops === this.stops) return stream;
    for (const track of stream.getTracks()) track.stop();
    return null;
  }

  #take(track, kind) {
    if (!track) return;
    if (kind === 'audio') {
      this.audio = track;
    } else {
      this.camera = track;
      this.facing = track.getSettings().facingMode ?? this.facing;
    }
    // A device unplugged mid-call ends its track: treat it as switched off.
    track.addEventListener('ended', () => {
      if (this.audio === track) {
        this.audio = null;
        this.onchange('audio');
      } else if (this.camera === track) {
        this.camera = null;
        this.onchange('video');
      }
    });
  }

  static advice(err) {
    return advice(err);
  }
}
