// The Parley browser app: sign in, 1:1 calls, conference rooms. Built on the client library
// (parley.js) only, as any other web app would be. Words shown to the user are in messages.js,
// cameras and microphones in devices.js, the room screen in room-view.js.

import { ParleyClient, mediaStats, quality, loopbackOnly, canEncrypt } from './parley.js';
import {
  nameOf, initials, callEndedText, roomClosedText, joinErrorText, callErrorText, signInErrorText, errorText,
} from './messages.js';
import { $, attach, notice, clearNotice, setPressed } from './ui.js';
import { showRoom, tile } from './room-view.js';
import { openLocalStream, listDevices, switchDevice, startPreview, stopPreview, takePreview, previewing } from './devices.js';

const params = new URLSearchParams(location.search);

const app = {
  client: null,
  call: null,        // the call shown on screen (outgoing, incoming or live)
  room: null,
  lastEnded: null,   // {callId, reason} of the last call, for "move that call here"
  qualityTimer: null,
  callTimer: null,
  lastStats: null,
  connectionLog: [], // every connection state seen, for diagnostics and tests
};
window.parleyApp = app;

// ---- screens and notices -------------------------------------------------------------------

/** Screens where the camera and microphone section shows (a preview or the pickers). */
const DEVICE_SCREENS = new Set(['home', 'incoming', 'call', 'room']);

function show(screen) {
  for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== `screen-${screen}`;
  document.body.dataset.screen = screen;
  $('devices').hidden = !DEVICE_SCREENS.has(screen);
  if (screen !== 'home' && screen !== 'incoming') stopPreview();
  if (screen === 'home') setPressed('preview-toggle', previewing(), 'Stop camera check', 'Check camera and microphone');
}

// ---- sign in --------------------------------------------------------------------------------

function deviceId() {
  const given = params.get('device');
  if (given) return given;
  let id = localStorage.getItem('parley.device');
  if (!id) {
    id = `web-${Math.random().toString(36).slice(2, 10)}`;
    localStorage.setItem('parley.device', id);
  }
  return id;
}

async function signIn(event) {
  event.preventDefault();
  $('signin-error').hidden = true;
  const client = new ParleyClient({
    token: $('token').value.trim(),
    device: $('device').value.trim(),
    // ?ice=relay: TURN only; ?candidates=loopback: announce loopback candidates only (diagnostics).
    iceTransportPolicy: params.get('ice') === 'relay' ? 'relay' : 'all',
    candidateFilter: params.get('candidates') === 'loopback' ? loopbackOnly : null,
    // ?codec=H264: offer this camera codec first in rooms (interoperability checks).
    videoCodec: params.get('codec'),
    getLocalStream: openLocalStream,
  });
  wireClient(client);
  try {
    const welcome = await client.connect();
    app.client = client;
    $('me-user').textContent = welcome.displayName || welcome.user;
    $('me-device').textContent = welcome.device;
    $('me').hidden = false;
    clearNotice();
    show('home');
    listDevices();
    const room = params.get('room');
    if (room) joinRoom(room, params.get('invite'));
  } catch (e) {
    $('signin-error').textContent = signInErrorText(e);
    $('signin-error').hidden = false;
  }
}

function wireClient(client) {
  client.on('state', (s) => {
    app.connectionLog.push(s);
    document.body.dataset.connection = s;
    $('connection-state').dataset.state = s;
    $('reconnecting-banner').hidden = s !== 'reconnecting';
    if (s === 'closed' && app.client === client) {
      notice('You are signed out: the connection to the server ended. Sign in again.', 'closed');
      $('me').hidden = true;
      show('signin');
    }
  });
  // Every event in the console (debug level) helps when a call misbehaves.
  client.on('event', (m) => console.debug('parley event', m.seq, m.type, m.callId || m.roomId || ''));
  client.on('incoming', ({ call }) => onIncoming(call));
  client.on('handoff', ({ call }) => {
    clearNotice();
    showCall(call);
  });
  client.on('invitation', ({ roomId, from }) => {
    notice(`${nameOf(from)} invited you to room ${roomId}; joining it.`, 'invitation');
    joinRoom(roomId);
  });
  client.on('callended', ({ callId, reason }) => callEnded({ id: callId }, { reason }));
}

// ---- calls ----------------------------------------------------------------------------------

async function placeCall(event) {
  event.preventDefault();
  clearNotice();
  const to = $('callee').value.trim();
  const media = $('call-media').value;
  // Unticked: a plain call, unless the server requires encryption (parley.js then encrypts).
  const e2ee = $('secret-call').checked || undefined;
  $('outgoing-peer').textContent = to;
  $('outgoing-status').textContent = 'Calling…';
  $('outgoing-status').dataset.status = 'calling';
  const stream = takePreview(media);
  show('outgoing');
  try {
    const call = await app.client.call(to, { media, stream: stream || undefined, e2ee });
    if (stream) call.ownsLocalStream = true;
    trackCall(call);
    if (call.state === 'connecting') showCall(call);
  } catch (e) {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    notice(callErrorText(to, e), e.code);
    show('home');
  }
}

function trackCall(call) {
  app.call = call;
  call.on('ringing', ({ devices }) => {
    // The server counts the devices ringing when the first one rings (protocol.md §5.3).
    $('outgoing-status').textContent = devices > 1 ? `Ringing on ${devices} devices…` : 'Ringing…';
    $('outgoing-status').dataset.devices = devices;
    $('outgoing-status').dataset.status = 'ringing';
  });
  call.on('accepted', () => showCall(call));
  call.on('ended', (e) => callEnded(call, e));
}

function onIncoming(call) {
  if (app.call && app.call.state !== 'ended') {
    // Busy with another call on this device: show it as a notice, the server decides busy/waiting.
    notice(`${nameOf(call.peer)} is calling you too. Hang up this call to answer.`, 'waiting');
  }
  call.on('ended', (e) => callEnded(call, e));
  if (app.call && app.call.state !== 'ended') return;
  app.call = call;
  clearNotice();
  $('incoming-peer').textContent = nameOf(call.peer);
  $('incoming-media').textContent = call.media === 'video'
    ? 'Video call. Check your camera below before you answer.' : 'Audio call.';
  $('screen-incoming').dataset.callId = call.id;
  $('incoming-e2ee').hidden = !call.e2eeCall;
  $('incoming-e2ee').textContent = canEncrypt() || !call.e2eeCall
    ? '🔒 Secret call: end-to-end encrypted.'
    : '🔒 Secret call: end-to-end encrypted, which this browser cannot do (it lacks WebRTC Encoded Transform). Answer on a current Chrome, Edge or Safari.';
  show('incoming');
  // A look at one's own camera (and the pickers) before answering; answering reuses the stream.
  startPreview(call.media).catch((e) => notice(errorText(e), 'devices'));
}

async function acceptCall() {
  const call = app.call;
  const stream = takePreview(call.media);
  try {
    if (stream) call.ownsLocalStream = true;
    showCall(call);
    await call.accept({ stream: stream || undefined });
  } catch (e) {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    call.end(e.code || 'failed', undefined, true);
    notice(`Could not answer the call: ${errorText(e)}`, e.code);
  }
}

function showCall(call) {
  app.call = call;
  if (!call.listening) {
    call.listening = true;
    call.on('localstream', (s) => attach($('local-video'), s));
    call.on('remotestream', (s) => attach($('remote-video'), s));
    call.on('remotescreen', (s) => { attach($('remote-screen'), s); updateRemoteMedia(call); });
    call.on('remotemedia', () => updateRemoteMedia(call));
    call.on('state', (s) => { $('call-state').textContent = s; $('screen-call').dataset.state = s; startCallTimer(call); });
    call.on('transferred', ({ peer }) => { $('call-peer').textContent = nameOf(peer); updateRemoteMedia(call); });
    call.on('ended', (e) => callEnded(call, e));
    call.on('e2ee.state', (st) => showE2ee('call', st));
  }
  showE2ee('call', call.e2eeState);
  $('call-peer').textContent = nameOf(call.peer);
  $('call-state').textContent = call.state;
  $('screen-call').dataset.state = call.state;
  $('screen-call').dataset.callId = call.id;
  attach($('local-video'), call.localStream);
  attach($('remote-video'), call.remoteStream);
  updateLocalMedia(call);
  updateRemoteMedia(call);
  show('call');
  startCallTimer(call);
  startQuality(() => call.peerConnections(), $('call-quality'));
}

/** m:ss (h:mm:ss after an hour) since the call became active, as phones show it. */
function startCallTimer(call) {
  if (call.state !== 'active' || app.callTimer) return;
  const started = Date.now();
  const el = $('call-timer');
  const tick = () => {
    const s = Math.floor((Date.now() - started) / 1000);
    const mmss = `${Math.floor(s / 60) % 60}:${String(s % 60).padStart(2, '0')}`;
    el.textContent = s >= 3600 ? `${Math.floor(s / 3600)}:${mmss.padStart(5, '0')}` : mmss;
  };
  tick();
  app.callTimer = setInterval(tick, 1000);
}

function stopCallTimer() {
  clearInterval(app.callTimer);
  app.callTimer = null;
  $('call-timer').textContent = '0:00';
}

/** What this device sends: button labels, the self-view, and the preview of a shared screen. */
function updateLocalMedia(call) {
  setPressed('toggle-audio', !call.local.audio, 'Unmute', 'Mute');
  setPressed('toggle-video', !call.local.video, 'Camera on', 'Camera off');
  setPressed('toggle-screen', call.local.screen, 'Stop sharing', 'Share screen');
  $('self-view').dataset.video = call.local.video && call.media === 'video';
  attach($('local-screen'), call.local.screen ? call.localScreen : null);
  layoutStage(call);
}

function updateRemoteMedia(call) {
  const r = call.remote;
  const el = $('remote-media');
  const who = nameOf(call.peer);
  el.dataset.audio = r.audio;
  el.dataset.video = r.video;
  el.dataset.screen = r.screen;
  const parts = [];
  if (!r.audio) parts.push(`${who} is muted`);
  if (!r.video) parts.push(`${who}'s camera is off`);
  if (r.screen) parts.push(`${who} is sharing their screen`);
  el.textContent = parts.length ? `${parts.join(', ')}.` : '';
  const view = $('remote-view');
  view.dataset.video = r.video && call.media === 'video';
  const avatar = $('remote-avatar');
  const big = document.createElement('span');
  big.className = 'initials';
  big.textContent = initials(who);
  const small = document.createElement('span');
  small.className = 'avatar-name';
  small.textContent = who;
  avatar.replaceChildren(big, small);
  layoutStage(call);
}

/**
 * Who is large: a shared screen (the other side's) fills the stage and the cameras move to a row
 * below it; without one the other side's camera fills it. The self-view is always the small
 * picture in the bottom-right corner. A sharer sees what it shares as a small picture too.
 */
function layoutStage(call) {
  const remoteScreen = !!(call.remote.screen && call.remoteScreen);
  const localScreen = !!(call.local.screen && call.localScreen);
  const share = remoteScreen || localScreen;
  $('call-stage').dataset.layout = share ? 'share' : 'camera';
  $('remote-screen').hidden = !remoteScreen;
  $('remote-screen').className = remoteScreen ? 'main' : '';
  $('remote-view').className = `view ${remoteScreen ? 'thumb' : 'main'}`;
  $('local-screen').hidden = !localScreen;
  $('local-screen').className = localScreen ? 'thumb' : '';
  $('self-view').className = `view${share ? ' thumb' : ''}`;
}

/**
 * The lock and the safety code: shown only while this device's media is end-to-end encrypted,
 * so a plain call never looks secret. Both ends show the same code when nobody is in between.
 */
function showE2ee(prefix, { encrypted, safetyCode }) {
  const el = $(`${prefix}-e2ee`);
  el.hidden = !encrypted;
  el.dataset.encrypted = String(!!encrypted);
  $(`${prefix}-safety-code`).textContent = safetyCode || '';
  el.setAttribute('aria-label', encrypted ? `end-to-end encrypted, safety code ${safetyCode || 'pending'}` : 'not end-to-end encrypted');
}

function callEnded(call, { reason, local = false, roomId } = {}) {
  if (app.call && app.call.id !== call.id) return;
  stopQuality();
  stopCallTimer();
  stopPreview();
  showE2ee('call', { encrypted: false, safetyCode: null });
  app.call = null;
  app.lastEnded = { callId: call.id, reason };
  const text = callEndedText({ reason, local, direction: call.direction, peer: call.peer, roomId });
  $('last-call').hidden = false;
  $('last-call-reason').textContent = text;
  $('last-call').dataset.reason = reason;
  // Another device of this user has (or had) the call: offer to pull it here (§5.5).
  $('pull-call').hidden = !(reason === 'answered_elsewhere' || reason === 'transferred');
  notice(text, reason);
  attach($('remote-video'), null);
  attach($('local-video'), null);
  attach($('remote-screen'), null);
  attach($('local-screen'), null);
  if (document.body.dataset.screen !== 'room') show('home');
}

async function pullCall() {
  if (!app.lastEnded) return;
  try {
    const call = await app.client.pullCall(app.lastEnded.callId);
    clearNotice();
    showCall(call);
  } catch (e) {
    notice(`Could not move the call here: ${errorText(e)}`, e.code);
  }
}

async function toggleScreen(target, buttonId) {
  try {
    if (target.local.screen) await target.stopScreenShare();
    else await target.startScreenShare();
  } catch (e) {
    notice(`Screen sharing did not start: ${errorText(e)}`, 'screen_failed');
  }
  setPressed(buttonId, target.local.screen, 'Stop sharing', 'Share screen');
  if (target === app.call) updateLocalMedia(target);
}

// ---- connection quality ---------------------------------------------------------------------

function startQuality(pcs, el) {
  stopQuality();
  app.lastStats = null;
  app.qualityTimer = setInterval(async () => {
    const now = await mediaStats(...pcs());
    el.dataset.quality = quality(app.lastStats, now);
    const label = `connection quality ${el.dataset.quality}${now.rttMs != null ? `, round trip ${Math.round(now.rttMs)} ms` : ''}`;
    el.title = label;
    el.setAttribute('aria-label', label);
    app.lastStats = now;
  }, 2000);
}

function stopQuality() {
  clearInterval(app.qualityTimer);
}

/**
 * For tests and diagnostics: getStats() of the call or room on screen, plus the frames decoded
 * of the screen share shown large (0 when none).
 */
app.stats = async () => {
  let s;
  if (app.call) s = await app.call.stats();
  else if (app.room) s = await app.room.stats();
  else s = await mediaStats();
  const shown = document.body.dataset.screen === 'room' ? document.getElementById('room-screen') : $('remote-screen');
  const track = shown && shown.srcObject ? shown.srcObject.getVideoTracks()[0] : null;
  s.screenFramesDecoded = track ? (s.framesDecodedByTrack[track.id] || 0) : 0;
  if (app.room) {
    // Per participant: what this device receives of each one's camera and microphone.
    s.participants = {};
    for (const [pid, entry] of app.room.streams) {
      const tracks = entry.camera ? entry.camera.getTracks() : [];
      const v = tracks.find((t) => t.kind === 'video');
      const a = tracks.find((t) => t.kind === 'audio');
      s.participants[pid] = {
        framesDecoded: v ? (s.framesDecodedByTrack[v.id] || 0) : 0,
        audioPacketsReceived: a ? (s.audioPacketsByTrack[a.id] || 0) : 0,
      };
    }
  }
  return s;
};

// ---- rooms ----------------------------------------------------------------------------------

async function joinRoom(roomId, invite, { e2ee } = {}) {
  clearNotice();
  const stream = takePreview('video');
  try {
    const room = await app.client.joinRoom(roomId, { invite: invite || undefined, stream: stream || undefined, e2ee });
    enterRoom(room);
  } catch (e) {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    notice(joinErrorText(roomId, e), e.code);
  }
}

/** A new room that requires end-to-end encryption, joined at once; its invite links bring others in. */
async function createSecretRoom() {
  clearNotice();
  try {
    const roomId = await app.client.createRoom({ e2ee: true });
    await joinRoom(roomId, undefined, { e2ee: true });
  } catch (e) {
    notice(joinErrorText('', e), e.code);
  }
}

function enterRoom(room) {
  app.room = room;
  room.on('e2ee.state', (st) => showE2ee('room', st));
  showE2ee('room', room.e2eeState);
  showRoom(room, {
    onClosed: (reason) => {
      stopQuality();
      showE2ee('room', { encrypted: false, safetyCode: null });
      app.room = null;
      notice(roomClosedText(room.id, reason), reason);
      show('home');
    },
  });
  show('room');
  startQuality(() => room.media.peerConnections(), $('room-quality'));
}

// ---- wiring ---------------------------------------------------------------------------------

async function togglePreview() {
  try {
    if (previewing()) stopPreview();
    else await startPreview('video');
  } catch (e) {
    notice(errorText(e), 'devices');
  }
  setPressed('preview-toggle', previewing(), 'Stop camera check', 'Check camera and microphone');
}

function bind() {
  $('device').value = deviceId();
  $('signin-form').addEventListener('submit', signIn);
  $('call-form').addEventListener('submit', placeCall);
  $('room-form').addEventListener('submit', (e) => { e.preventDefault(); joinRoom($('room-id').value.trim()); });
  $('create-secret-room').addEventListener('click', createSecretRoom);
  $('preview-toggle').addEventListener('click', togglePreview);
  $('cancel-call').addEventListener('click', () => app.call && app.call.cancel().catch(() => {}));
  $('accept-call').addEventListener('click', acceptCall);
  $('reject-call').addEventListener('click', () => app.call && app.call.reject().catch(() => {}));
  $('hangup').addEventListener('click', () => app.call && app.call.hangup().catch(() => {}));
  $('toggle-audio').addEventListener('click', () => {
    const c = app.call;
    c.setAudio(!c.local.audio);
    updateLocalMedia(c);
  });
  $('toggle-video').addEventListener('click', () => {
    const c = app.call;
    c.setVideo(!c.local.video);
    updateLocalMedia(c);
  });
  $('toggle-screen').addEventListener('click', () => toggleScreen(app.call, 'toggle-screen'));
  $('transfer-form').addEventListener('submit', (e) => {
    e.preventDefault();
    app.call.transfer($('transfer-device').value.trim())
      .catch((err) => notice(`Could not move the call: ${errorText(err)}`, err.code));
  });
  $('pull-call').addEventListener('click', pullCall);
  $('leave-room').addEventListener('click', () => app.room && app.room.leave().catch(() => {}));
  $('room-toggle-audio').addEventListener('click', () => {
    const r = app.room;
    r.setAudio(!r.local.audio);
    setPressed('room-toggle-audio', !r.local.audio, 'Unmute', 'Mute');
  });
  $('room-toggle-video').addEventListener('click', () => {
    const r = app.room;
    r.setVideo(!r.local.video);
    setPressed('room-toggle-video', !r.local.video, 'Camera on', 'Camera off');
    tile(r, r.participantId);
  });
  $('room-toggle-screen').addEventListener('click', () => toggleScreen(app.room, 'room-toggle-screen'));
  $('mute-all').addEventListener('click', () => app.room.mute('all', 'audio').catch((e) => notice(`Could not mute everyone: ${errorText(e)}`, e.code)));
  $('lock-room').addEventListener('click', () => app.room.lock(!app.room.locked).catch((e) => notice(`Could not lock the room: ${errorText(e)}`, e.code)));
  $('invite-link').addEventListener('click', async () => {
    const r = await app.room.inviteLink();
    const out = $('invite-link-output');
    out.value = `${location.origin}/?room=${encodeURIComponent(app.room.id)}&invite=${encodeURIComponent(r.invite)}`;
    out.hidden = false;
    out.select();
  });
  const target = () => app.call || app.room;
  $('audio-input').addEventListener('change', (e) => switchDevice('audio', e.target.value, target()).catch((err) => notice(errorText(err), 'devices')));
  $('video-input').addEventListener('change', (e) => switchDevice('video', e.target.value, target()).catch((err) => notice(errorText(err), 'devices')));
  navigator.mediaDevices.addEventListener('devicechange', () => listDevices());
  if (params.get('room')) $('room-id').value = params.get('room');
  document.body.dataset.ready = 'true';
  signInFromLink();
}

/**
 * A sign-in link, /#token=JWT (the server prints two for demo users at start-up, docs/web.md):
 * signs in at once. The token is in the fragment, which the browser never sends to a server, so it
 * stays out of access logs (protocol.md: tokens never travel in a URL the server sees).
 */
function signInFromLink() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return;
  $('token').value = token;
  $('signin-form').requestSubmit();
}

bind();
