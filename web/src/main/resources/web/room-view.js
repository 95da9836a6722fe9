// The room screen (protocol.md §6): a video tile per participant (initials when the camera is
// off), a shared screen shown large, the participant list with the moderator's actions.

import { $, attach, notice, setPressed } from './ui.js';
import { nameOf, initials, errorText } from './messages.js';
import { watchLayout } from './layout-constraints.js';

/** Shows a joined room and keeps it current; {@code onClosed(reason)}: this device left it. */
export function showRoom(room, { onClosed }) {
  $('room-title').textContent = room.id;
  $('screen-room').dataset.roomId = room.id;
  $('screen-room').dataset.participantId = room.participantId;
  $('video-grid').replaceChildren();
  const layoutChanged = watchLayout(room);
  room.on('participants', () => {
    renderParticipants(room);
    layoutChanged();
  });
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
    layoutChanged();
  });
  room.on('left', ({ participantId }) => {
    const t = document.querySelector(`#video-grid .tile[data-participant="${CSS.escape(participantId)}"]`);
    if (t) t.remove();
    if ($('screen-stage').dataset.participant === participantId) showScreen(room, participantId, null);
    layoutChanged();
  });
  room.on('speaker', ({ participantId }) => {
    for (const t of document.querySelectorAll('#video-grid .tile')) {
      t.classList.toggle('speaking', t.dataset.participant === participantId);
    }
    $('video-grid').dataset.activeSpeaker = participantId;
  });
  room.on('muted', ({ kind }) => {
    const what = { audio: 'microphone', video: 'camera', screen: 'screen share' }[kind] || kind;
    notice(`A moderator turned off your ${what}. ${kind === 'screen' ? 'Share again' : 'Turn it back on'} when you are ready.`, 'muted');
    setPressed('room-toggle-audio', !room.local.audio, 'Unmute', 'Mute');
    setPressed('room-toggle-video', !room.local.video, 'Camera on', 'Camera off');
    setPressed('room-toggle-screen', room.local.screen, 'Stop sharing', 'Share screen');
    renderParticipants(room);
  });
  room.on('closed', ({ reason }) => onClosed(reason));
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
  setPressed('room-toggle-audio', !room.local.audio, 'Unmute', 'Mute');
  setPressed('room-toggle-video', !room.local.video, 'Camera on', 'Camera off');
  setPressed('room-toggle-screen', room.local.screen, 'Stop sharing', 'Share screen');
  layoutChanged();
}

/** A participant's picture in the grid, with the name and, when the camera is off, the initials. */
export function tile(room, participantId) {
  let t = document.querySelector(`#video-grid .tile[data-participant="${CSS.escape(participantId)}"]`);
  if (!t) {
    t = document.createElement('div');
    t.className = 'tile view';
    t.dataset.participant = participantId;
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    const avatar = document.createElement('span');
    avatar.className = 'avatar';
    avatar.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.className = 'name';
    t.append(video, avatar, name);
    $('video-grid').append(t);
  }
  const self = participantId === room.participantId;
  const p = room.participants.get(participantId);
  const name = p ? nameOf(p) : participantId;
  t.querySelector('.name').textContent = `${name}${self ? ' (you)' : ''}`;
  t.querySelector('.avatar').textContent = initials(name);
  t.querySelector('video').setAttribute('aria-label', `${name}${self ? ' (you)' : ''}, camera`);
  const cameraOn = self ? room.local.video : !!p && p.video !== false && !p.videoMuted;
  t.dataset.video = cameraOn;
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
  const p = room.participants.get(participantId);
  video.setAttribute('aria-label', `${p ? nameOf(p) : 'someone'}'s shared screen`);
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
    const self = p.participantId === room.participantId;
    const muted = p.audio === false || !!p.audioMuted;
    const li = document.createElement('li');
    li.dataset.participant = p.participantId;
    li.dataset.role = p.role;
    li.dataset.audio = p.audio;
    li.dataset.video = p.video;
    li.dataset.audioMuted = !!p.audioMuted;
    const name = document.createElement('span');
    name.textContent = `${nameOf(p)}${self ? ' (you)' : ''}`;
    const role = document.createElement('span');
    role.className = 'role';
    role.textContent = `${p.role}${muted ? ' · muted' : ''}${p.video === false || p.videoMuted ? ' · camera off' : ''}${p.screen ? ' · sharing' : ''}`;
    li.append(name, role);
    if (room.isModerator && !self) {
      const who = nameOf(p);
      // Mute only who can be heard: someone already muted has nothing to mute.
      if (!muted) li.append(button('Mute', `Mute ${who}`, 'mute', () => room.mute(p.participantId, 'audio')));
      li.append(
        button('Remove', `Remove ${who} from the room`, 'remove', () => room.remove(p.participantId)),
        p.role === 'moderator'
          ? button('Make participant', `Make ${who} a participant`, 'demote', () => room.setRole(p.participantId, 'participant'))
          : button('Make moderator', `Make ${who} a moderator`, 'promote', () => room.setRole(p.participantId, 'moderator')),
      );
    }
    tile(room, p.participantId);
    return li;
  });
  $('participant-list').replaceChildren(...items);
}

function button(text, label, action, fn) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.dataset.action = action;
  b.addEventListener('click', () => fn().catch((e) => notice(`${label} did not work: ${errorText(e)}`, e.code)));
  return b;
}

