// What the app tells its user, as sentences: what happened and, where there is one, what to do
// next. Every call end reason (docs/protocol.md §5.3) and error code (§9) a user can meet maps to
// words here; a protocol code never reaches the screen.

/** The name to show for a peer ({user, name}) or a participant. */
export function nameOf(peer, fallback = 'The other person') {
  return peer ? (peer.name || peer.user || fallback) : fallback;
}

/** "Alice Smith" -> "AS", "bob" -> "B": what a picture shows when the camera is off. */
export function initials(name) {
  const words = String(name || '?').trim().split(/\s+/).filter(Boolean);
  return words.slice(0, 2).map((w) => w[0].toUpperCase()).join('') || '?';
}

/**
 * Why a call ended, as this device's user should read it. {@code local}: this device ended it
 * (its Hang up, Decline or Cancel, or its own lost connection); {@code direction}: "outgoing" on
 * the caller's device, "incoming" on the callee's (the protocol sends the same reason to both).
 */
export function callEndedText(ended) {
  // A caller knows only the user id it typed ("bob"): a sentence still starts with a capital.
  const text = endedText(ended);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function endedText({ reason, local, direction, peer, roomId }) {
  const who = nameOf(peer);
  const caller = direction === 'outgoing';
  switch (reason) {
    case 'hangup':
      return local ? `You ended the call with ${who}.` : `${who} ended the call.`;
    case 'rejected':
      if (local) return `You declined the call from ${who}.`;
      return caller ? `${who} declined the call.` : 'You declined this call on another device.';
    case 'cancelled':
      return local ? `You cancelled the call to ${who}.` : `You missed a call from ${who}: they hung up before it was answered.`;
    case 'busy':
      return `${who} is in another call. Try again later.`;
    case 'unavailable':
      return `${who} is not online. Try again later.`;
    case 'no_answer':
      return caller ? `${who} did not answer. Try again later.` : `You missed a call from ${who}.`;
    case 'answered_elsewhere':
      return 'You answered this call on another device. Press "Move that call here" to continue it on this one.';
    case 'transferred':
      return 'The call moved to another of your devices. Press "Move that call here" to bring it back.';
    case 'connection_lost':
      return local
        ? `The call with ${who} ended: this device lost its connection to the server. Call again once you are back online.`
        : `The call ended: ${who}'s connection was lost. Call again in a moment.`;
    case 'upgraded':
      return `The call became a conference in room ${roomId || ''}.`.replace(' .', '.');
    case 'media_failed':
      return `The call with ${who} ended: the audio and video connection failed. Try calling again.`;
    case 'server_shutdown':
      return `The call with ${who} ended: the server is restarting. Call again in a minute.`;
    case 'server_restarted':
      // a refused resume's welcome.ended (§4): the server crashed or restarted and lost the call
      return `The call with ${who} ended: the server restarted and lost it. Call again.`;
    default:
      // A hang-up with the client's own reason (§5.2 call.hangup): still someone hung up.
      return local ? `You ended the call with ${who}.` : `${who} ended the call.`;
  }
}

/** Why this device is no longer in a room. */
export function roomClosedText(roomId, reason) {
  switch (reason) {
    case 'left': return `You left room ${roomId}.`;
    case 'removed': return `A moderator removed you from room ${roomId}. Ask a moderator if you want to come back.`;
    case 'connection_lost':
      return `You are no longer in room ${roomId}: the connection to the server was lost. Join again once you are back online.`;
    case 'server_restarted':
      return `You are no longer in room ${roomId}: the server restarted. Join again.`;
    default: return `You are no longer in room ${roomId}.`;
  }
}

/** Why room.join was refused (§6.3). */
export function joinErrorText(roomId, e) {
  const why = {
    removed: 'a moderator removed you from it. Ask a moderator to let you back in.',
    invite_revoked: 'this invite link was revoked. Ask a moderator for a new one.',
    forbidden: 'you have no invitation to it. Ask a moderator for an invite link.',
    room_locked: 'it is locked. Ask a moderator to unlock it.',
    room_full: 'it is full. Try again later.',
    unknown_room: 'there is no room by that name that your access token opens. Check the name, or ask for an invite link.',
    wrong_state: 'you are already in it.',
    e2ee_required: 'it is end-to-end encrypted, and this browser cannot encrypt calls (it lacks WebRTC Encoded Transform). Join from a current Chrome, Edge or Safari.',
    e2ee_unsupported: 'secret rooms are end-to-end encrypted, and this browser cannot encrypt calls (it lacks WebRTC Encoded Transform). Use a current Chrome, Edge or Safari.',
  }[e.code];
  return `Could not ${roomId ? `join room ${roomId}` : 'open a secret room'}: ${why || lowerFirst(errorText(e))}`;
}

/** Why a call could not be placed. */
export function callErrorText(to, e) {
  if (e.code === 'invalid_field') return `Could not call ${to}: check the user id (you cannot call yourself).`;
  if (e.code === 'e2ee_required' || e.code === 'e2ee_unsupported') {
    return `Could not call ${to}: calls here are end-to-end encrypted, and this browser cannot encrypt them (it lacks WebRTC Encoded Transform). Use a current Chrome, Edge or Safari.`;
  }
  return `Could not call ${to}: ${lowerFirst(errorText(e))}`;
}

/** Why signing in failed (§3.1: invalid_token and token_expired come before close 4001/4002). */
export function signInErrorText(e) {
  return errorText(e);
}

/** Any other refusal, by code; an unknown one gets a generic sentence (the code goes to the console). */
export function errorText(e) {
  const code = e && e.code;
  const text = {
    invalid_token: 'This access token is not valid. Paste the whole token you were given, or ask for a new one.',
    token_expired: 'This access token has expired. Ask for a new one.',
    connection_closed: 'Could not reach the server. Check your network and try again.',
    disconnected: 'The connection to the server was lost. Try again once it is back.',
    closed: 'You are signed out. Sign in again.',
    timeout: 'The server did not answer in time. Try again.',
    rate_limited: 'Too many requests at once. Wait a moment and try again.',
    draining: 'The server is restarting and takes no new calls. Try again in a minute.',
    unsupported_protocol: 'This page is older than the server. Reload it.',
    relay_unavailable: 'The media server cannot be reached. Try again in a minute.',
    relay_error: 'The media server refused the connection. Try again.',
    unknown_device: 'That device is not signed in as you. Check its id.',
    unknown_call: 'That call has already ended.',
    forbidden: 'You are not allowed to do that here.',
    wrong_state: 'That is not possible at this moment.',
    NotAllowedError: 'The browser was not allowed to use the camera, microphone or screen. Allow it and try again.',
    NotFoundError: 'No camera or microphone was found. Connect one and try again.',
    NotReadableError: 'The camera or microphone is busy in another program. Close it there and try again.',
  }[code || (e && e.name)];
  if (!text) console.warn('parley: no words for', e);
  return text || 'Something went wrong. Try again.';
}

function lowerFirst(s) {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
