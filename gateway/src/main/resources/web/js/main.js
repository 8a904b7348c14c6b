// Wiring: the home form, the call controls and the pieces (connection, media, meeting, chat, room list).
import { Chat } from './chat.js';
import { Connection } from './connection.js';
import { LocalMedia } from './media.js';
import { Meeting } from './meeting.js';
import { RoomList } from './rooms.js';
import {
  byId, clearError, fillSelect, hideNotice, initial, setHint, setPressed, setStatus, showError,
  showFailure, showHome, showNotice, showRoom, Stage,
} from './ui.js';

const NICKNAME_KEY = 'huddle.nickname';
const ROOM_PATTERN = /^[\p{L}\p{M}\p{Nd} ._-]{1,64}$/u; // as the server checks it (protocol.md)
const NICKNAME_PATTERN = /^[^\p{Cc}]{1,32}$/u;

let joining = false; // a join is being attempted (media prompt, then the request)

const conn = new Connection();
const media = new LocalMedia();
const stage = new Stage(byId('grid'));
const localVideo = byId('local-video');
const controls = {
  mute: byId('mute'),
  camera: byId('camera'),
  flip: byId('flip'),
  screen: byId('screen'),
  invite: byId('invite'),
  leave: byId('leave'),
  cameraSelect: byId('camera-select'),
  micSelect: byId('mic-select'),
};

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
  onEnter: (self) => {
    localVideo.dataset.peerId = self.peerId;
    byId('local-name').textContent = `${self.nickname} (you)`;
    byId('local-initial').textContent = initial(self.nickname);
  },
  onEnd: (reason) => goHome(reason),
});

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
  } catch {
    // storage blocked (private mode): the name is just not remembered
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
  try {
    setHint('join-hint', 'Asking for camera and microphone…');
    const advice = await media.start();
    setHint('join-hint', 'Joining…');
    await meeting.join({
      room, nickname, password: byId('password').value, isPrivate: byId('private').checked,
    });
    enterRoom(advice);
  } catch (err) {
    media.stopAll();
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
  setHint('media-hint', advice);
  controls.screen.hidden = !media.canShareScreen;
  updateLocal();
  refreshDevices();
  if (location.protocol.startsWith('http')) {
    history.replaceState(null, '', `/r/${encodeURIComponent(meeting.room)}`);
  }
}

function goHome(reason) {
  if (reason) showFailure(reason);
  localVideo.srcObject = null;
  delete localVideo.dataset.peerId;
  setHint('media-hint', '');
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
}

async function refreshDevices() {
  if (!meeting.active) return;
  try {
    const { cameras, mics, flip } = await media.devices();
    fillSelect(controls.cameraSelect, cameras, media.currentDeviceId('video'), 'Camera');
    fillSelect(controls.micSelect, mics, media.currentDeviceId('audio'), 'Microphone');
    controls.flip.hidden = !flip;
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
controls.leave.addEventListener('click', () => meeting.leave());
controls.invite.addEventListener('click', copyInvite);
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
  join();
});
byId('notice-close').addEventListener('click', hideNotice);
// Closing the tab leaves at once instead of after the resume grace period.
addEventListener('pagehide', () => meeting.leaveNow());

prefill();
updateLocal();
conn.start();
