// The Parley browser app: sign in, 1:1 calls, conference rooms. Built on the client library
// (parley.js) only, as any other web app would be.

import { ParleyClient, mediaStats, quality, loopbackOnly } from './parley.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const app = {
  client: null,
  call: null,        // the call shown on screen (outgoing, incoming or live)
  room: null,
  lastEnded: null,   // {callId, reason} of the last call, for "move that call here"
  qualityTimer: null,
  lastStats: null,
  connectionLog: [], // every connection state seen, for diagnostics and tests
};
window.parleyApp = app;

// ---- screens and notices -------------------------------------------------------------------

function show(screen) {
  for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== `screen-${screen}`;
  document.body.dataset.screen = screen;
  $('devices').hidden = !(screen === 'call' || screen === 'room');
}

const REASONS = {
  hangup: 'the other side hung up', rejected: 'the call was declined', cancelled: 'the caller cancelled',
  busy: 'the other side is busy', unavailable: 'nobody is online to answer', no_answer: 'no answer',
  answered_elsewhere: 'answered on another device', connection_lost: 'the connection was lost',
  transferred: 'moved to another device', upgraded: 'turned into a conference',
  media_failed: 'the media connection failed', server_shutdown: 'the server is restarting',
  removed: 'you were removed from the room', left: 'you left the room',
};

/** Why a room.join was refused, in words (protocol.md §6.3, §9). */
const JOIN_ERRORS = {
  removed: 'a moderator removed you; ask one to let you back in',
  invite_revoked: 'this invite link was revoked',
  forbidden: 'you have no invitation to this room (or the link belongs to a room that has ended)',
  room_locked: 'the room is locked', room_full: 'the room is full', unknown_room: 'there is no such room',
};

function notice(text, reason) {
  const n = $('notice');
  n.textContent = text;
  n.dataset.reason = reason || '';
  n.hidden = false;
}

function clearNotice() {
  $('notice').hidden = true;
}

function attach(video, stream) {
  if (video.srcObject !== stream) video.srcObject = stream || null;
  if (stream) video.play().catch(() => {});
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
    getLocalStream: localStream,
  });
  wireClient(client);
  try {
    const welcome = await client.connect();
    app.client = client;
    $('me-user').textContent = welcome.displayName || welcome.user;
    $('me-device').textContent = welcome.device;
    $('me').hidden = false;
    show('home');
    listDevices();
    const room = params.get('room');
    if (room) joinRoom(room, params.get('invite'));
  } catch (e) {
    $('signin-error').textContent = e.message;
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
      notice('Signed out: the connection to the server ended.', 'closed');
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
    notice(`${from.name || from.user} invites you to room ${roomId}.`, 'invitation');
    joinRoom(roomId);
  });
  client.on('callended', ({ callId, reason }) => callEnded({ id: callId }, reason));
}

// ---- media devices --------------------------------------------------------------------------

const chosen = { audio: null, video: null };

function localStream(media) {
  const audio = chosen.audio ? { deviceId: { exact: chosen.audio } } : true;
  const video = media === 'video' ? (chosen.video ? { deviceId: { exact: chosen.video } } : { width: 640, height: 480 }) : false;
  return navigator.mediaDevices.getUserMedia({ audio, video });
}

async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  for (const [kind, select] of [['audioinput', $('audio-input')], ['videoinput', $('video-input')]]) {
    select.replaceChildren(...devices.filter((d) => d.kind === kind).map((d, i) => {
      const o = document.createElement('option');
      o.value = d.deviceId;
      o.textContent = d.label || `${kind === 'audioinput' ? 'Microphone' : 'Camera'} ${i + 1}`;
      return o;
    }));
  }
}

async function switchDevice(kind, deviceIdValue) {
  chosen[kind] = deviceIdValue;
  const target = app.call || app.room;
  if (!target || !target.localStream) return;
  const s = await navigator.mediaDevices.getUserMedia({ [kind]: { deviceId: { exact: deviceIdValue } } });
  await target.replaceTrack(s.getTracks()[0]);
}

// ---- calls ----------------------------------------------------------------------------------

async function placeCall(event) {
  event.preventDefault();
  clearNotice();
  const to = $('callee').value.trim();
  $('outgoing-peer').textContent = to;
  $('outgoing-status').textContent = 'Calling…';
  $('outgoing-status').dataset.status = 'calling';
  show('outgoing');
  try {
    const call = await app.client.call(to, { media: $('call-media').value });
    trackCall(call);
    if (call.state === 'connecting') showCall(call);
  } catch (e) {
    notice(`Could not call ${to}: ${e.code || e.message}`, e.code);
    show('home');
  }
}

function peerName(peer) {
  return peer ? (peer.name || peer.user) : '';
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
  call.on('ended', ({ reason }) => callEnded(call, reason));
}

function onIncoming(call) {
  if (app.call && app.call.state !== 'ended') {
    // Busy with another call on this device: show it as a notice, the server decides busy/waiting.
    notice(`${peerName(call.peer)} is calling (call waiting).`, 'waiting');
  }
  call.on('ended', ({ reason }) => callEnded(call, reason));
  if (app.call && app.call.state !== 'ended') return;
  app.call = call;
  clearNotice();
  $('incoming-peer').textContent = peerName(call.peer);
  $('incoming-media').textContent = call.media === 'video' ? 'Video call' : 'Audio call';
  $('screen-incoming').dataset.callId = call.id;
  show('incoming');
}

function showCall(call) {
  app.call = call;
  if (!call.listening) {
    call.listening = true;
    call.on('localstream', (s) => attach($('local-video'), s));
    call.on('remotestream', (s) => attach($('remote-video'), s));
    call.on('remotescreen', (s) => { attach($('remote-screen'), s); updateRemoteMedia(call); });
    call.on('remotemedia', () => updateRemoteMedia(call));
    call.on('state', (s) => { $('call-state').textContent = s; $('screen-call').dataset.state = s; });
    call.on('transferred', ({ peer }) => { $('call-peer').textContent = peerName(peer); });
    call.on('ended', ({ reason }) => callEnded(call, reason));
  }
  $('call-peer').textContent = peerName(call.peer);
  $('call-state').textContent = call.state;
  $('screen-call').dataset.state = call.state;
  $('screen-call').dataset.callId = call.id;
  attach($('local-video'), call.localStream);
  attach($('remote-video'), call.remoteStream);
  setPressed('toggle-audio', !call.local.audio, 'Unmute', 'Mute');
  setPressed('toggle-video', !call.local.video, 'Camera on', 'Camera off');
  setPressed('toggle-screen', call.local.screen, 'Stop sharing', 'Share screen');
  updateRemoteMedia(call);
  show('call');
  startQuality(() => call.peerConnections(), $('call-quality'));
}

function updateRemoteMedia(call) {
  const r = call.remote;
  const el = $('remote-media');
  el.dataset.audio = r.audio;
  el.dataset.video = r.video;
  el.dataset.screen = r.screen;
  const parts = [];
  if (!r.audio) parts.push(`${peerName(call.peer)} is muted`);
  if (!r.video) parts.push('camera off');
  if (r.screen) parts.push('sharing their screen');
  el.textContent = parts.join(' · ');
  $('remote-screen').hidden = !r.screen || !call.remoteScreen;
}

function setPressed(id, pressed, onText, offText) {
  const b = $(id);
  b.setAttribute('aria-pressed', String(pressed));
  b.textContent = pressed ? onText : offText;
}

function callEnded(call, reason) {
  if (app.call && app.call.id !== call.id) return;
  stopQuality();
  app.call = null;
  app.lastEnded = { callId: call.id, reason };
  $('last-call').hidden = false;
  $('last-call-reason').textContent = REASONS[reason] || reason;
  $('last-call').dataset.reason = reason;
  // Another device of this user has (or had) the call: offer to pull it here (§5.5).
  $('pull-call').hidden = !(reason === 'answered_elsewhere' || reason === 'transferred');
  notice(`Call ended: ${REASONS[reason] || reason}`, reason);
  attach($('remote-video'), null);
  attach($('local-video'), null);
  attach($('remote-screen'), null);
  if (document.body.dataset.screen !== 'room') show('home');
}

async function pullCall() {
  if (!app.lastEnded) return;
  try {
    const call = await app.client.pullCall(app.lastEnded.callId);
    clearNotice();
    showCall(call);
  } catch (e) {
    notice(`Could not move the call here: ${e.code || e.message}`, e.code);
  }
}

async function toggleScreen(target, buttonId) {
  try {
    if (target.local.screen) await target.stopScreenShare();
    else await target.startScreenShare();
  } catch (e) {
    notice(`Screen share failed: ${e.message}`, 'screen_failed');
  }
  setPressed(buttonId, target.local.screen, 'Stop sharing', 'Share screen');
}

// ---- connection quality ---------------------------------------------------------------------

function startQuality(pcs, el) {
  stopQuality();
  app.lastStats = null;
  app.qualityTimer = setInterval(async () => {
    const now = await mediaStats(...pcs());
    el.dataset.quality = quality(app.lastStats, now);
    el.title = `connection quality: ${el.dataset.quality}${now.rttMs != null ? `, rtt ${Math.round(now.rttMs)} ms` : ''}`;
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

async function joinRoom(roomId, invite) {
  clearNotice();
  try {
    const room = await app.client.joinRoom(roomId, { invite: invite || undefined });
    showRoom(room);
  } catch (e) {
    notice(`Could not join ${roomId}: ${JOIN_ERRORS[e.code] || e.code || e.message}`, e.code);
  }
}

function showRoom(room) {
  app.room = room;
  $('room-title').textContent = room.id;
  $('screen-room').dataset.roomId = room.id;
  $('screen-room').dataset.participantId = room.participantId;
  $('video-grid').replaceChildren();
  room.on('participants', () => renderParticipants(room));
  room.on('updated', ({ participant }) => {
    renderParticipants(room);
    const stage = $('screen-stage');
    if (!participant.screen && stage.dataset.participant === participant.participantId) {
      showScreen(room, participant.participantId, null);
    }
  });
  room.on('room', () => renderParticipants(room));
  room.on('stream', ({ participantId, kind, stream }) => {
    if (kind === 'screen') showScreen(room, participantId, stream);
    else attach(tile(room, participantId).querySelector('video'), stream);
  });
  room.on('left', ({ participantId }) => {
    const t = document.querySelector(`#video-grid .tile[data-participant="${CSS.escape(participantId)}"]`);
    if (t) t.remove();
    if ($('screen-stage').dataset.participant === participantId) showScreen(room, participantId, null);
  });
  room.on('speaker', ({ participantId }) => {
    for (const t of document.querySelectorAll('#video-grid .tile')) {
      t.classList.toggle('speaking', t.dataset.participant === participantId);
    }
    $('video-grid').dataset.activeSpeaker = participantId;
  });
  room.on('muted', ({ kind }) => {
    notice(`A moderator muted your ${kind}.`, 'muted');
    setPressed('room-toggle-audio', !room.local.audio, 'Unmute', 'Mute');
    setPressed('room-toggle-video', !room.local.video, 'Camera on', 'Camera off');
  });
  room.on('closed', ({ reason }) => {
    stopQuality();
    app.room = null;
    notice(`You left room ${room.id}: ${REASONS[reason] || reason}`, reason);
    show('home');
  });
  const me = tile(room, room.participantId);
  me.classList.add('self');
  const v = me.querySelector('video');
  v.muted = true;
  attach(v, room.localStream);
  renderParticipants(room);
  // Tracks that arrived while joining (before these listeners existed).
  for (const [pid, entry] of room.streams) {
    if (entry.camera) attach(tile(room, pid).querySelector('video'), entry.camera);
    if (entry.screen) showScreen(room, pid, entry.screen);
  }
  show('room');
  startQuality(() => room.media.peerConnections(), $('room-quality'));
}

function tile(room, participantId) {
  let t = document.querySelector(`#video-grid .tile[data-participant="${CSS.escape(participantId)}"]`);
  if (!t) {
    t = document.createElement('div');
    t.className = 'tile';
    t.dataset.participant = participantId;
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    const name = document.createElement('span');
    name.className = 'name';
    t.append(video, name);
    $('video-grid').append(t);
  }
  const p = room.participants.get(participantId);
  t.querySelector('.name').textContent = p ? `${p.name || p.user}${participantId === room.participantId ? ' (you)' : ''}` : participantId;
  return t;
}

function showScreen(room, participantId, stream) {
  const stage = $('screen-stage');
  if (!stream) {
    stage.replaceChildren();
    stage.hidden = true;
    delete stage.dataset.participant;
    return;
  }
  const video = document.createElement('video');
  video.id = 'room-screen';
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true;
  stage.replaceChildren(video);
  stage.dataset.participant = participantId;
  stage.hidden = false;
  attach(video, stream);
}

function renderParticipants(room) {
  $('room-role').textContent = room.role;
  $('room-locked').hidden = !room.locked;
  setPressed('lock-room', room.locked, 'Unlock room', 'Lock room');
  $('moderator-controls').hidden = !room.isModerator;
  $('participant-count').textContent = room.participants.size;
  const items = [...room.participants.values()].map((p) => {
    const li = document.createElement('li');
    li.dataset.participant = p.participantId;
    li.dataset.role = p.role;
    li.dataset.audio = p.audio;
    li.dataset.video = p.video;
    li.dataset.audioMuted = !!p.audioMuted;
    const name = document.createElement('span');
    name.textContent = `${p.name || p.user}${p.participantId === room.participantId ? ' (you)' : ''}`;
    const role = document.createElement('span');
    role.className = 'role';
    role.textContent = `${p.role}${p.audio === false || p.audioMuted ? ' · muted' : ''}${p.screen ? ' · sharing' : ''}`;
    li.append(name, role);
    if (room.isModerator && p.participantId !== room.participantId) {
      li.append(
        button('Mute', 'mute', () => room.mute(p.participantId, 'audio')),
        button('Remove', 'remove', () => room.remove(p.participantId)),
        p.role === 'moderator'
          ? button('Make participant', 'demote', () => room.setRole(p.participantId, 'participant'))
          : button('Make moderator', 'promote', () => room.setRole(p.participantId, 'moderator')),
      );
    }
    if (p.participantId !== room.participantId) tile(room, p.participantId);
    return li;
  });
  $('participant-list').replaceChildren(...items);
}

function button(text, action, fn) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.dataset.action = action;
  b.addEventListener('click', () => fn().catch((e) => notice(`${text} failed: ${e.code || e.message}`, e.code)));
  return b;
}

// ---- wiring ---------------------------------------------------------------------------------

function bind() {
  $('device').value = deviceId();
  $('signin-form').addEventListener('submit', signIn);
  $('call-form').addEventListener('submit', placeCall);
  $('room-form').addEventListener('submit', (e) => { e.preventDefault(); joinRoom($('room-id').value.trim()); });
  $('cancel-call').addEventListener('click', () => app.call && app.call.cancel().catch(() => {}));
  $('accept-call').addEventListener('click', async () => {
    const call = app.call;
    try {
      showCall(call);
      await call.accept();
    } catch (e) {
      notice(`Could not accept: ${e.code || e.message}`, e.code);
      call.end(e.code || 'failed');
    }
  });
  $('reject-call').addEventListener('click', () => app.call && app.call.reject().catch(() => {}));
  $('hangup').addEventListener('click', () => app.call && app.call.hangup().catch(() => {}));
  $('toggle-audio').addEventListener('click', () => {
    const c = app.call;
    c.setAudio(!c.local.audio);
    setPressed('toggle-audio', !c.local.audio, 'Unmute', 'Mute');
  });
  $('toggle-video').addEventListener('click', () => {
    const c = app.call;
    c.setVideo(!c.local.video);
    setPressed('toggle-video', !c.local.video, 'Camera on', 'Camera off');
  });
  $('toggle-screen').addEventListener('click', () => toggleScreen(app.call, 'toggle-screen'));
  $('transfer-form').addEventListener('submit', (e) => {
    e.preventDefault();
    app.call.transfer($('transfer-device').value.trim())
      .catch((err) => notice(`Could not move the call: ${err.code || err.message}`, err.code));
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
  });
  $('room-toggle-screen').addEventListener('click', () => toggleScreen(app.room, 'room-toggle-screen'));
  $('mute-all').addEventListener('click', () => app.room.mute('all', 'audio').catch((e) => notice(e.message, e.code)));
  $('lock-room').addEventListener('click', () => app.room.lock(!app.room.locked).catch((e) => notice(e.message, e.code)));
  $('invite-link').addEventListener('click', async () => {
    const r = await app.room.inviteLink();
    const out = $('invite-link-output');
    out.value = `${location.origin}/?room=${encodeURIComponent(app.room.id)}&invite=${encodeURIComponent(r.invite)}`;
    out.hidden = false;
    out.select();
  });
  $('audio-input').addEventListener('change', (e) => switchDevice('audio', e.target.value));
  $('video-input').addEventListener('change', (e) => switchDevice('video', e.target.value));
  if (params.get('room')) $('room-id').value = params.get('room');
  document.body.dataset.ready = 'true';
}

bind();
