// A conference room as one participant sees it (protocol.md §6). Media always goes through the
// relay: this device publishes on one peer connection and receives everyone on the other.

import { LocalMediaOwner } from './local-media.js';
import { RelayMedia } from './relay.js';
import { mediaStats } from './stats.js';
import { E2eeSession } from './e2ee/session.js';

const ROLE_RANK = { listener: 0, participant: 1, moderator: 2, owner: 3 };

/**
 * Events: participants (Map), joined {participant}, left {participantId, reason}, updated
 * {participant}, room {locked, maxParticipants, publish}, speaker {participantId},
 * stream {participantId, kind: "camera"|"screen", stream}, muted {kind, by}, removed {by},
 * connection {state}, reset {} (media set up afresh after a relay restart), closed {reason},
 * e2ee.state {encrypted, safetyCode} (end-to-end encrypted rooms, docs/e2ee.md).
 */
export class Room extends LocalMediaOwner {
  /**
   * @param {object} [o]
   * @param {import('./e2ee/identity.js').IdentityKey} [o.identity] set when this device joined
   *   with its identity key: media is end-to-end encrypted
   */
  constructor(client, reply, { identity } = {}) {
    super();
    this.client = client;
    this.id = reply.roomId;
    this.participantId = reply.participantId;
    this.role = reply.role;
    this.locked = !!reply.locked;
    this.maxParticipants = reply.maxParticipants;
    this.publishPolicy = reply.publish || 'everyone';
    this.participants = new Map();
    // The join reply lists the others; this device's own entry is made from what it knows.
    this.participants.set(this.participantId, {
      participantId: this.participantId, user: client.user, name: client.welcome && client.welcome.displayName,
      device: client.device, role: this.role, audio: true, video: true, screen: false,
    });
    for (const p of reply.participants || []) this.participants.set(p.participantId, p);
    this.activeSpeaker = null;
    this.streams = new Map(); // participantId -> {camera, screen}
    this.localStream = null;
    this.localScreen = null;
    this.local = { audio: true, video: true, screen: false };
    this.closed = false;
    /** Whether the room requires end-to-end encryption (room.join result, room.updated). */
    this.requiresE2ee = !!reply.e2ee;
    this.e2ee = identity ? this.openE2ee(identity) : null;
    this.media = this.openMedia();
  }

  openE2ee(identity) {
    const e2ee = new E2eeSession({
      identity, contextId: this.id,
      sendKey: (to, payload) => this.client.request('e2ee.key', { roomId: this.id, to, payload }),
    });
    e2ee.on('state', (s) => this.emit('e2ee.state', s));
    e2ee.on('error', (e) => this.emit('error', e));
    return e2ee;
  }

  /** Sends this device's first sender key to everyone already in the room (after joining). */
  startE2ee() {
    if (!this.e2ee) return Promise.resolve();
    const others = [...this.participants.values()].filter((p) => p.participantId !== this.participantId)
      .map((p) => [p.participantId, p.identityKey]);
    return this.e2ee.start(others);
  }

  /** {encrypted, safetyCode}: encrypted is false in a room without end-to-end encryption. */
  get e2eeState() {
    return this.e2ee ? this.e2ee.state : { encrypted: false, safetyCode: null };
  }

  openMedia() {
    const media = new RelayMedia({
      context: { roomId: this.id }, rtcConfig: this.client.rtcConfig(), request: (t, f) => this.client.request(t, f),
      candidateFilter: this.client.candidateFilter, e2ee: this.e2ee, simulcast: this.client.simulcast,
      videoCodec: this.client.videoCodec,
    });
    media.on('track', (e) => this.onTrack(e));
    media.on('connectionstate', (s) => this.emit('connection', { state: s }));
    media.on('error', (e) => this.emit('error', e));
    return media;
  }

  /**
   * relay.reset (protocol.md §6.4): the relay lost this device's connections and has a fresh
   * endpoint for it. Both peer connections start over, as after joining; subscriptions are back to
   * everyone.
   */
  resetMedia() {
    this.media.close();
    this.streams.clear();
    this.media = this.openMedia();
    if (this.localStream) this.media.publish(this.localStream);
    if (this.localScreen && this.local.screen) {
      this.media.startScreen(this.localScreen.getVideoTracks()[0], this.localScreen);
    }
    if (this.receiveConstraints) {
      this.media.setReceiveConstraints(this.receiveConstraints).catch((e) => this.emit('error', e));
    }
    this.emit('reset', {});
  }

  get me() {
    return this.participants.get(this.participantId);
  }

  get canPublish() {
    if (this.role === 'listener') return false;
    return this.publishPolicy !== 'moderators' || ROLE_RANK[this.role] >= ROLE_RANK.moderator;
  }

  get isModerator() {
    return ROLE_RANK[this.role] >= ROLE_RANK.moderator;
  }

  /** Sends camera and microphone to the room (not for listeners). */
  async publish(stream) {
    this.localStream = stream || await this.client.getLocalStream('video');
    this.media.publish(this.localStream);
    // Others learn from room.media that this participant's microphone and camera are on.
    await this.announce();
    return this.localStream;
  }

  /** The relay connections that carry this room's media. */
  mediaTransport() {
    return this.media;
  }

  async replaceTrack(track) {
    if (!this.localStream) return;
    const old = this.localStream.getTracks().find((t) => t.kind === track.kind);
    if (old) { this.localStream.removeTrack(old); old.stop(); }
    this.localStream.addTrack(track);
    await this.media.replaceTrack(track.kind, track);
  }

  announce() {
    return this.client.request('room.media', { roomId: this.id, ...this.local }).catch(() => {});
  }

  // Moderator actions (§6.2); the server checks the role and answers forbidden otherwise.
  mute(target, kind = 'audio') {
    const who = target === 'all' ? { all: true } : { participantId: target };
    return this.client.request('room.mute', { roomId: this.id, ...who, kind });
  }

  remove(participantId) {
    return this.client.request('room.remove', { roomId: this.id, participantId });
  }

  lock(locked) {
    return this.client.request('room.lock', { roomId: this.id, locked });
  }

  setRole(participantId, role) {
    return this.client.request('room.set_role', { roomId: this.id, participantId, role });
  }

  /** Resolves with {invite, inviteId, expiresAt}; keep inviteId to revoke the link later. */
  inviteLink({ role, ttlSeconds } = {}) {
    const f = { roomId: this.id };
    if (role) f.role = role;
    if (ttlSeconds) f.ttlSeconds = ttlSeconds;
    return this.client.request('room.invite_link', f);
  }

  revokeInvite(inviteId) {
    return this.client.request('room.revoke_invite', { roomId: this.id, inviteId });
  }

  /** A removed user stays out (error "removed") until a moderator lets it back in (§6.3). */
  allow(user) {
    return this.client.request('room.allow', { roomId: this.id, user });
  }

  /** Resolves with [{user, name, by, at}]: the users kept out. */
  async removedUsers() {
    return (await this.client.request('room.list_removed', { roomId: this.id })).removed;
  }

  subscribe(participantIds) {
    return this.client.request('room.subscribe', { roomId: this.id, participantIds });
  }

  /**
   * Tells the relay what this device's layout shows (protocol.md §6.4 media.constraints): at
   * most lastN participants' cameras, who is pinned or on stage, and per source a maxHeight or
   * off for a tile not on screen. Replaces what was set before; kept and sent again after a
   * relay reset.
   */
  setReceiveConstraints(constraints) {
    this.receiveConstraints = constraints;
    return this.media.setReceiveConstraints(constraints);
  }

  async leave() {
    const r = this.client.request('room.leave', { roomId: this.id });
    this.close('left');
    await r;
  }

  stats() {
    return mediaStats(...this.media.peerConnections());
  }

  /** Remote tracks carry msid "<endpoint> <track>": the stream id names the publisher. */
  onTrack({ track, streams }) {
    const streamId = streams[0] ? streams[0].id : '';
    const pid = this.participantFor(streamId, track.id);
    const kind = track.kind === 'video' && track.id.endsWith('-screen') ? 'screen' : 'camera';
    const entry = this.streams.get(pid) || {};
    if (kind === 'screen') {
      entry.screen = new MediaStream([track]);
    } else {
      entry.camera = entry.camera || new MediaStream();
      entry.camera.getTracks().filter((t) => t.kind === track.kind).forEach((t) => entry.camera.removeTrack(t));
      entry.camera.addTrack(track);
    }
    this.streams.set(pid, entry);
    track.addEventListener('ended', () => this.emit('stream', { participantId: pid, kind, stream: null }));
    this.emit('stream', { participantId: pid, kind, stream: kind === 'screen' ? entry.screen : entry.camera });
  }

  participantFor(streamId, trackId) {
    if (this.participants.has(streamId)) return streamId;
    for (const id of this.participants.keys()) {
      if (streamId.includes(id) || trackId.includes(id)) return id;
    }
    return streamId;
  }

  handle(msg) {
    switch (msg.type) {
      case 'room.participant_joined':
      case 'room.participant_updated': {
        const p = msg.participant;
        this.participants.set(p.participantId, p);
        if (p.participantId === this.participantId) this.role = p.role;
        else if (this.e2ee && msg.type === 'room.participant_joined') {
          this.e2ee.memberJoined(p.participantId, p.identityKey).catch((e) => this.emit('error', e));
        }
        this.emit(msg.type === 'room.participant_joined' ? 'joined' : 'updated', { participant: p });
        this.emit('participants', this.participants);
        break;
      }
      case 'room.participant_left':
        if (msg.participantId === this.participantId) {
          // relay_lost: the server took this device out (protocol.md §6.4); it may join again
          this.close(msg.reason);
          break;
        }
        this.participants.delete(msg.participantId);
        this.streams.delete(msg.participantId);
        if (this.e2ee) this.e2ee.memberLeft(msg.participantId).catch((e) => this.emit('error', e));
        this.emit('left', { participantId: msg.participantId, reason: msg.reason });
        this.emit('participants', this.participants);
        break;
      case 'room.updated':
        this.locked = msg.locked;
        this.maxParticipants = msg.maxParticipants;
        this.publishPolicy = msg.publish;
        if (typeof msg.e2ee === 'boolean') this.requiresE2ee = msg.e2ee;
        this.emit('room', { locked: msg.locked, maxParticipants: msg.maxParticipants, publish: msg.publish });
        break;
      case 'room.active_speaker':
        this.activeSpeaker = msg.participantId;
        this.emit('speaker', { participantId: msg.participantId });
        break;
      case 'room.muted':
        if (msg.kind === 'audio' || msg.kind === 'video') {
          this.local[msg.kind] = false;
          if (this.localStream) {
            const tracks = msg.kind === 'audio' ? this.localStream.getAudioTracks() : this.localStream.getVideoTracks();
            tracks.forEach((t) => { t.enabled = false; });
          }
        } else if (msg.kind === 'screen' && this.local.screen) {
          this.stopScreenShare();
        }
        this.emit('muted', { kind: msg.kind, by: msg.by });
        break;
      case 'room.removed':
        this.emit('removed', { by: msg.by });
        this.close('removed');
        break;
      case 'relay.offer':
      case 'relay.candidate':
      case 'media.layers':
        this.media.handleEvent(msg);
        break;
      case 'relay.reset':
        this.resetMedia();
        break;
      case 'e2ee.key':
        if (this.e2ee) this.e2ee.keyReceived(msg.from, msg.payload, (this.participants.get(msg.from) || {}).identityKey);
        break;
      default:
        break;
    }
  }

  resumed() {
    const pcs = this.media.peerConnections();
    if (pcs.some((pc) => pc.iceConnectionState === 'disconnected' || pc.iceConnectionState === 'failed')) {
      this.media.restartIce();
    }
  }

  close(reason) {
    if (this.closed) return;
    this.closed = true;
    this.media.close();
    if (this.e2ee) this.e2ee.close();
    if (this.localStream) this.localStream.getTracks().forEach((t) => t.stop());
    if (this.localScreen) this.localScreen.getTracks().forEach((t) => t.stop());
    this.client.forgetRoom(this);
    this.emit('closed', { reason });
  }
}
