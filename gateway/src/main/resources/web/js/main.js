// Wiring: the home form with its preview, the call controls and the pieces (connection, media, meeting,
// chat, room list, speaking meter, wake lock).
import { Chat } from './chat.js';
import { Connection } from './connection.js';
import { LocalMedia } from './media.js';
import { Meeting } from './meeting.js';
import { RoomList } from './rooms.js';
import { SpeakingMeter } from './speaking.js';
import {
  byId, clearError, fillSelect, hideNotice, initial, limitCharacters, setHint, setPressed, setStatus, showError,
  showFailure, showHome, showNotice, showRoom, showToast, showUnseen, Stage,
} from './ui.js';
import { WakeLock } from './wakelock.js';

const NICKNAME_KEY = 'huddle.nickname';
const LAYOUT_KEY = 'huddle.layout'; // 'speaker' or 'grid', remembered between visits
const ROOM_PATTERN = /^[\p{L}\p{M}\p{Nd} ._-]{1,64}$/u; // as the server checks it (protocol.md)
const NICKNAME_PATTERN = /^[^\p{Cc}]{1,32}$/u;
const MUTED_HINT_MS = 4000;
const PEOPLE_WORDS = {
  joined: 'joined', left: 'left', disconnected: 'lost the connection', kicked: 'was removed by an operator',
  hand: 'raised a hand',
};
const ROOM_URL_DELAY_MS = 2000;
const CAN_PICK_SPEAKER = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

let joining = false; // a join is being attempted (media prompt, then the request)

const conn = new Connection();
const media = new LocalMedia();
const stage = new Stage(byId('grid'), byId('local-tile'));
const wakeLock = new WakeLock();
const localVideo = byId('local-video');
const previewVideo = byId('prejoin-preview');
let previewAdvice = null; // what the preview's media request advised, shown again in the room
let unread = 0;
let unseen = 0; // chat lines while the page was hidden (in its title)
let mutedHintTimer = null;
const controls = {
  mute: byId('mute'),
  camera: byId('camera'),
  flip: byId('flip'),
  screen: byId('screen'),
  invite: byId('invite'),
  layout: byId('layout'),
  leave: byId('leave'),
  cameraSelect: byId('camera-select'),
  micSelect: byId('mic-select'),
  speakerSelect: byId('speaker-select'),
  hand: byId('hand'),
  rename: byId('rename-input'),
  chatToggle: byId('chat-toggle'),
  preview: byId('preview'),
  previewMic: byId('preview-mic'),
  previewCamera: byId('preview-camera'),
};

const meter = new SpeakingMeter({
  onSpeaking: (key, speaking) => stage.setSpeaking(key, speaking),
  onActive: (key) => stage.setActive(key),
  onMutedSpeech: showMutedHint,
});
meter.muted = () => media.muted;

const chat = new Chat({
  log: byId('chat-log'),
  form: byId('chat-form'),
  input: byId('chat-input'),
  to: byId('chat-to'),
  send: (text, to) => meeting.sendChat(text, to),
  onError: showFailure,
});

const meeting = new Meeting({
  conn,
  media,
  stage,
  chat,
  participants: byId('participants'),
  meter,
  onEnter: (self) => {
    localVideo.dataset.peerId = self.peerId;
    stage.setSelf(self.peerId);
    showSelf(self);
  },
  onSelf: (self) => showSelf(self),
  onReaction: ({ from, emoji }) => stage.showReaction(from, emoji),
  onPeople: ({ kind, nickname }) => showToast(`${nickname} ${PEOPLE_WORDS[kind]}`),
  onEnd: (reason) => goHome(reason),
});
// Counted at the next frame: whether the chat shows is a style question, answered then without forcing one now.
chat.onIncoming = () => {
  if (document.hidden && meeting.active) showUnseen(meeting.room, ++unseen); // no frames come while hidden
  requestAnimationFrame(() => {
    if (!meeting.active || chatInView) return;
    unread += 1;
    showUnread();
  });
};
document.addEventListener('visibilitychange', () => {
  if (document.hidden || !unseen) return;
  unseen = 0;
  if (meeting.active) showUnseen(meeting.room, 0);
});

function showSelf(self) {
  byId('local-name').textContent = `${self.nickname} (you)`;
  byId('local-initial').textContent = initial(self.nickname);
  if (document.activeElement !== controls.rename) controls.rename.value = self.nickname;
  byId('local-hand').hidden = !self.hand;
  setPressed(controls.hand, Boolean(self.hand), self.hand ? 'Lower hand' : 'Raise hand');
}

const rooms = new RoomList({
  conn,
  list: byId('room-list'),
  empty: byId('room-list-empty'),
  total: byId('room-total'),
  onPick: (name) => {
    byId('room').value = name;
    join();
  },
});

// ---- connection ----

conn.on('status', setStatus);
conn.on('session', (event) => {
  if (meeting.active) {
    meeting.onSession(event);
    return;
  }
  // A leave lost with the old socket can leave us in a room we are not showing: leave it. (While
  // joining, the join is retried and answers for that room.)
  if (!joining) {
    for (const { room } of event.reply?.rooms ?? []) conn.request('leave', { room }).catch(() => {});
  }
  watchRooms();
});
conn.on('session_moved', () => meeting.sessionMoved());
conn.on('session_ended', (event) => meeting.sessionEnded(event));
conn.on('error', ({ code, message, about }) => {
  if (about === 'signal' || about === 'ping') return; // background traffic; nothing the user can do
  showError(code, message);
});
conn.on('notice', ({ text }) => showNotice(text));

function watchRooms() {
  if (meeting.active || joining || !conn.ready) return;
  rooms.watch().catch((err) => console.warn(`huddle: room list unavailable (${err.code})`));
}

// ---- home ----

function clean(text) {
  return text.normalize('NFC').trim();
}

function roomFromUrl() {
  const match = location.pathname.match(/^\/r\/([^/]+)\/?$/);
  if (match) {
    try {
      return decodeURIComponent(match[1]);
    } catch {
      // a malformed link: fall through to the query
    }
  }
  return new URLSearchParams(location.search).get('room') ?? '';
}

function prefill() {
  try {
    byId('nickname').value = localStorage.getItem(NICKNAME_KEY) ?? '';
    if (localStorage.getItem(LAYOUT_KEY) === 'speaker') setSpeakerView(true);
  } catch {
    // storage blocked (private mode): the name and the layout are just not remembered
  }
  byId('room').value = roomFromUrl();
  const empty = ['nickname', 'room'].find((id) => !byId(id).value);
  byId(empty ?? 'join').focus();
}

async function join() {
  if (joining || meeting.active) return;
  const nickname = clean(byId('nickname').value);
  const room = clean(byId('room').value);
  if (!NICKNAME_PATTERN.test(nickname)) {
    showError('invalid_field', 'Enter a name of 1 to 32 characters.');
    byId('nickname').focus();
    return;
  }
  if (!ROOM_PATTERN.test(room)) {
    showError('invalid_field', 'A room name has 1 to 64 letters, digits, spaces, "-", "_" or ".".');
    byId('room').focus();
    return;
  }
  joining = true;
  byId('join').disabled = true;
  clearError();
  try {
    localStorage.setItem(NICKNAME_KEY, nickname);
  } catch {
    // not remembered, still works
  }
  const previewing = media.started;
  try {
    let advice = previewAdvice;
    if (!previewing) {
      setHint('join-hint', 'Asking for camera and microphone…');
      advice = await media.start();
    }
    setHint('join-hint', 'Joining…');
    await meeting.join({
      room, nickname, password: byId('password').value, isPrivate: byId('private').checked,
    });
    enterRoom(advice);
  } catch (err) {
    if (!previewing) media.stopAll(); // a previewed camera stays on for the next try
    showFailure(err);
  } finally {
    joining = false;
    byId('join').disabled = false;
    setHint('join-hint', '');
  }
  if (!meeting.active) watchRooms(); // the list may not have been watched while joining
}

function enterRoom(advice) {
  showRoom(meeting.room);
  previewVideo.srcObject = null;
  byId('room-view').querySelector('.stage').append(byId('devices'));
  setHint('media-hint', advice);
  wakeLock.acquire();
  unread = 0;
  unseen = 0;
  showUnread();
  controls.screen.hidden = !media.canShareScreen;
  updateLocal();
  refreshDevices();
  // The address names the room (to copy, or to come back to) a moment later: replaceState took Chromium's page
  // thread 25-65 ms here, right when the call's first offers and answers wait for it.
  const room = meeting.room;
  setTimeout(() => {
    if (meeting.room === room && location.protocol.startsWith('http')) {
      history.replaceState(null, '', `/r/${encodeURIComponent(room)}`);
    }
  }, ROOM_URL_DELAY_MS);
}

function goHome(reason) {
  if (reason) showFailure(reason);
  localVideo.srcObject = null;
  delete localVideo.dataset.peerId;
  stage.setSelf(null);
  wakeLock.release();
  previewAdvice = null;
  showPreviewControls();
  setHint('media-hint', '');
  setHint('muted-hint', '');
  updateLocal();
  showHome();
  byId('join').focus();
  watchRooms();
}

// ---- in the room ----

function updateLocal() {
  const video = media.video;
  const shown = localVideo.srcObject?.getVideoTracks()[0] ?? null;
  if (video !== shown) {
    localVideo.srcObject = video ? new MediaStream([video]) : null;
    if (video) localVideo.play().catch(() => {});
  }
  const tile = byId('local-tile');
  tile.classList.toggle('video-off', !video);
  // A selfie view is mirrored, as people expect; a screen or a back camera is not.
  tile.classList.toggle('mirror', video !== null && video === media.camera && media.facing !== 'environment');
  tile.querySelector('.muted-badge').hidden = !media.muted;
  tile.querySelector('.screen-badge').hidden = !media.screen;
  setPressed(controls.mute, media.muted, media.muted ? 'Unmute' : 'Mute');
  setPressed(controls.camera, !media.camera, media.camera ? 'Stop video' : 'Start video');
  setPressed(controls.screen, Boolean(media.screen), media.screen ? 'Stop sharing' : 'Share screen');
  if (!media.muted) setHint('muted-hint', '');
  updatePreview();
}

// ---- pre-join preview: see yourself, pick devices, choose what to join with ----

async function startPreview() {
  if (media.started) return;
  controls.preview.disabled = true;
  try {
    previewAdvice = await media.start();
    setHint('join-hint', previewAdvice);
    byId('prejoin-devices').append(byId('devices'));
    showPreviewControls();
    updateLocal();
    await refreshDevices(); // never throws
    // The preview and its device choices push Join down: bring it back into view, with the preview above it.
    byId('join').scrollIntoView({ block: 'nearest' });
  } finally {
    controls.preview.disabled = false;
  }
}

function showPreviewControls() {
  const on = media.started && !meeting.active;
  controls.preview.hidden = on;
  controls.previewMic.hidden = !on;
  controls.previewCamera.hidden = !on;
  // Until the camera is checked the preview is a small tile beside its button, so that Join shows without
  // scrolling on a laptop's screen.
  byId('prejoin-tile').closest('.prejoin').classList.toggle('idle', !on);
  if (!on && byId('devices').parentElement === byId('prejoin-devices')) {
    byId('room-view').querySelector('.stage').append(byId('devices'));
  }
}

function updatePreview() {
  if (meeting.active) return;
  const camera = media.camera;
  const shown = previewVideo.srcObject?.getVideoTracks()[0] ?? null;
  if (camera !== shown) {
    previewVideo.srcObject = camera ? new MediaStream([camera]) : null;
    if (camera) previewVideo.play().catch(() => {});
  }
  byId('prejoin-tile').classList.toggle('video-off', !camera);
  setPressed(controls.previewMic, media.muted, media.muted ? 'Unmute' : 'Mute');
  setPressed(controls.previewCamera, !media.camera, media.camera ? 'Stop video' : 'Start video');
}

// ---- speaking while muted, chat unread count ----

function showMutedHint() {
  if (!meeting.active || !media.muted) return;
  setHint('muted-hint', 'You are muted. Press Unmute (or M) to talk.');
  clearTimeout(mutedHintTimer);
  mutedHintTimer = setTimeout(() => setHint('muted-hint', ''), MUTED_HINT_MS);
}

// Whether the chat's log is in sight: the panel not folded, and (below the call, under 980 px) scrolled into the
// window. Kept by an observer, so counting a line never reads layout; a log coming into sight clears the count.
let chatInView = true;
new IntersectionObserver(([entry]) => {
  chatInView = entry.isIntersecting;
  if (chatInView && unread) {
    unread = 0;
    showUnread();
  }
}).observe(byId('chat-log'));

function showUnread() {
  const badge = byId('chat-unread');
  badge.textContent = String(unread);
  badge.hidden = unread === 0;
  controls.chatToggle.setAttribute('aria-label', unread ? `Chat, ${unread} unread` : 'Chat');
}

// The side panel (people and chat) folds away behind Chat. It starts open at every width: on a phone it sits below
// the call, where the page scrolls to it, rather than hidden until found.
function setChatOpen(open) {
  byId('room-view').classList.toggle('side-closed', !open);
  controls.chatToggle.setAttribute('aria-expanded', String(open));
}

async function refreshDevices() {
  if (!meeting.active && !media.started) return;
  try {
    const { cameras, mics, speakers, flip } = await media.devices();
    fillSelect(controls.cameraSelect, cameras, media.currentDeviceId('video'), 'Camera');
    fillSelect(controls.micSelect, mics, media.currentDeviceId('audio'), 'Microphone');
    controls.flip.hidden = !flip;
    // Audio output: only where the browser can route a video's sound (setSinkId) and lists outputs.
    const pickable = CAN_PICK_SPEAKER && speakers.length > 0;
    controls.speakerSelect.hidden = !pickable;
    byId('speaker-field').hidden = !pickable;
    if (pickable) fillSelect(controls.speakerSelect, speakers, stage.sinkId || 'default', 'Speaker');
  } catch (err) {
    console.warn('huddle: devices not listed', err);
  }
}

media.onchange = (kind) => {
  meeting.mediaChanged(kind);
  updateLocal();
  if (kind !== 'state') refreshDevices();
};

// A media action that failed (refused, device gone) explains itself in the room's hint line.
function mediaAction(action) {
  return () => {
    action().then(
      () => setHint('media-hint', ''),
      (err) => {
        if (err?.name === 'NotAllowedError' && action === shareScreen) return; // the user cancelled the picker
        setHint('media-hint', LocalMedia.advice(err));
        updateLocal();
      },
    );
  };
}

function shareScreen() {
  if (media.screen) {
    media.stopScreen();
    return Promise.resolve();
  }
  return media.startScreen();
}

controls.mute.addEventListener('click', mediaAction(() => media.setMuted(!media.muted)));
controls.camera.addEventListener('click', mediaAction(() => media.setCameraOn(!media.camera)));
controls.flip.addEventListener('click', mediaAction(() => media.flipCamera()));
controls.screen.addEventListener('click', mediaAction(shareScreen));
controls.cameraSelect.addEventListener('change', mediaAction(() => media.selectCamera(controls.cameraSelect.value)));
controls.micSelect.addEventListener('change', mediaAction(() => media.selectMic(controls.micSelect.value)));
controls.speakerSelect.addEventListener('change', () => {
  stage.setSink(controls.speakerSelect.value).catch((err) => setHint('media-hint', `Speaker not switched: ${err.message}`));
});
controls.leave.addEventListener('click', () => meeting.leave());
controls.preview.addEventListener('click', () => startPreview().catch(showFailure));
controls.previewMic.addEventListener('click', mediaAction(() => media.setMuted(!media.muted)));
controls.previewCamera.addEventListener('click', mediaAction(() => media.setCameraOn(!media.camera)));
controls.hand.addEventListener('click', toggleHand);
for (const button of document.querySelectorAll('[data-testid="react"]')) {
  button.addEventListener('click', () => {
    meeting.react(button.dataset.emoji).catch((err) => {
      if (err.code !== 'rate_limited') showFailure(err); // too many at once: the extra one is just dropped
    });
  });
}
controls.rename.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Enter') return;
  ev.preventDefault();
  rename();
});
// Beside the call (980 px and wider) Chat folds and unfolds the panel. Below the call it takes the page to the chat's
// input: folding there would only shorten the page, and its count says what waits down there.
controls.chatToggle.addEventListener('click', () => {
  const folded = byId('room-view').classList.contains('side-closed');
  if (!folded && !matchMedia('(max-width: 979px)').matches) {
    setChatOpen(false);
    return;
  }
  setChatOpen(true);
  byId('chat-form').scrollIntoView({ block: 'end' });
});
setChatOpen(true);

function toggleHand() {
  if (!meeting.active) return;
  const raise = controls.hand.getAttribute('aria-pressed') !== 'true';
  setPressed(controls.hand, raise, raise ? 'Lower hand' : 'Raise hand'); // at once; peer_hand confirms
  meeting.raiseHand(raise).catch((err) => {
    if (meeting.self) showSelf(meeting.self);
    showFailure(err);
  });
}

async function rename() {
  const nickname = clean(controls.rename.value);
  if (!meeting.active || nickname === meeting.self?.nickname) return;
  if (!NICKNAME_PATTERN.test(nickname)) {
    showError('invalid_field', 'Enter a name of 1 to 32 characters.');
    return;
  }
  try {
    await meeting.rename(nickname);
    byId('nickname').value = nickname;
    try {
      localStorage.setItem(NICKNAME_KEY, nickname);
    } catch {
      // not remembered, still renamed
    }
    clearError();
  } catch (err) {
    showFailure(err);
  }
}

// Keyboard shortcuts, as in Meet (Ctrl+D, Ctrl+E) and Jitsi (M, V; H for the hand, W for the view) while not typing.
document.addEventListener('keydown', (ev) => {
  if (!meeting.active || ev.repeat || ev.altKey) return;
  const key = ev.key.toLowerCase();
  const typing = ev.target instanceof HTMLElement
    && (ev.target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(ev.target.tagName));
  let action = null;
  if ((ev.ctrlKey || ev.metaKey) && !ev.shiftKey) {
    if (key === 'd') action = () => controls.mute.click();
    if (key === 'e') action = () => controls.camera.click();
  } else if (!ev.ctrlKey && !ev.metaKey && !typing) {
    if (key === 'm') action = () => controls.mute.click();
    if (key === 'v') action = () => controls.camera.click();
    if (key === 'h') action = () => controls.hand.click();
    if (key === 'w') action = () => controls.layout.click();
  }
  if (!action) return;
  ev.preventDefault();
  action();
});
controls.invite.addEventListener('click', copyInvite);
controls.layout.addEventListener('click', () => {
  setSpeakerView(controls.layout.getAttribute('aria-pressed') !== 'true');
  try {
    localStorage.setItem(LAYOUT_KEY, stage.speakerView ? 'speaker' : 'grid');
  } catch {
    // storage blocked: the choice lasts this visit
  }
});

// Speaker view shows the person speaking large, the others beside or below; the grid shows everyone alike.
function setSpeakerView(on) {
  stage.setSpeakerView(on);
  setPressed(controls.layout, on, on ? 'Grid view' : 'Speaker view');
  controls.layout.title = on ? 'Show everyone alike (W)' : 'Show the person speaking large (W)';
}
navigator.mediaDevices?.addEventListener?.('devicechange', refreshDevices);

async function copyInvite() {
  if (!meeting.active) return;
  const link = `${location.origin}/r/${encodeURIComponent(meeting.room)}`;
  try {
    await navigator.clipboard.writeText(link);
    controls.invite.textContent = 'Link copied';
    setTimeout(() => {
      controls.invite.textContent = 'Copy invite link';
    }, 2000);
  } catch {
    showNotice(`Invite link: ${link}`); // no clipboard (insecure page): show it to copy by hand
  }
}

// ---- page ----

byId('join-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  meter.unlock(); // in the click: the speaking meter's audio may start
  join();
});
// The meter's audio context is made at the first key or pointer press (a user gesture, so it runs) rather than
// at the join click: making one opens the audio output, 45-90 ms of the page's thread in Chromium here.
for (const type of ['pointerdown', 'keydown']) addEventListener(type, () => meter.unlock(), { once: true, capture: true });
byId('notice-close').addEventListener('click', hideNotice);
// Closing the tab leaves at once instead of after the resume grace period.
addEventListener('pagehide', () => meeting.leaveNow());

for (const [id, max] of [['nickname', 32], ['room', 64], ['rename-input', 32], ['chat-input', 2000]]) {
  limitCharacters(byId(id), max); // as protocol.md limits them
}
prefill();
updateLocal();
conn.start();
