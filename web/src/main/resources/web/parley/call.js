// A one-to-one call as one device sees it (protocol.md §5). The server owns the state; this
// object follows its events and drives the media between the two active devices.

import { LocalMediaOwner } from './local-media.js';
import { PeerMedia } from './p2p.js';
import { RelayMedia } from './relay.js';
import { mediaStats } from './stats.js';
import { E2eeSession } from './e2ee/session.js';

/** In a call the only other member is the peer's active device. */
const PEER = 'peer';

/** The other device's identity key, wherever an event carries it (top level or in the peer object). */
function identityKeyOf(msg) {
  return msg.identityKey || (msg.peer && msg.peer.identityKey) || (msg.from && msg.from.identityKey) || null;
}

/**
 * States: "calling" (invite sent) -> "ringing" (a callee device rings) -> "connecting"
 * (accepted) -> "active" (media flows) -> "ended". An incoming call starts at "incoming".
 *
 * Events: state, ringing {devices}, accepted {peer}, remotestream {stream}, remotescreen {stream},
 * remotemedia {audio, video, screen}, transferred {peer}, connection {state}, ended {reason, roomId, local}
 * (local: this device ended it, by hangup/reject/cancel or by losing its own session; the
 * protocol's call.ended does not say who ended a call, but it is never sent to the device that did),
 * e2ee.state {encrypted, safetyCode} (end-to-end encrypted calls, docs/e2ee.md).
 */
export class Call extends LocalMediaOwner {
  constructor(client, { callId, direction, peer, media, transport, state, waiting = false, e2ee = false, peerIdentityKey = null }) {
    super();
    this.client = client;
    this.id = callId;
    this.direction = direction;
    this.peer = peer || null;
    this.media = media || 'video';
    this.transport = transport || 'p2p';
    this.state = state;
    this.waiting = waiting;
    this.endReason = null;
    this.local = { audio: true, video: this.media === 'video', screen: false };
    this.remote = { audio: true, video: this.media === 'video', screen: false };
    this.localStream = null;
    this.localScreen = null;
    this.remoteStream = null;
    this.remoteScreen = null;
    this.session = null;
    this.ownsLocalStream = false;
    // Media signalling that arrives before this device has set up its media (e.g. the relay's
    // offer right after a hand-off, while the camera is still opening) waits here.
    this.earlySignals = [];
    /** Whether the call is end-to-end encrypted (invited with e2ee, call.incoming e2ee: true). */
    this.e2eeCall = e2ee;
    this.peerIdentityKey = peerIdentityKey;
    this.e2ee = null;
    this.earlyKeys = [];
  }

  /** {encrypted, safetyCode}: encrypted is false in a call without end-to-end encryption. */
  get e2eeState() {
    return this.e2ee ? this.e2ee.state : { encrypted: false, safetyCode: null };
  }

  /** The E2EE session, made once the peer's identity key is known (accept / accepted / hand-off). */
  async openE2ee() {
    if (!this.e2eeCall || this.e2ee) return;
    const identity = await this.client.identityKey();
    const e2ee = new E2eeSession({
      identity, contextId: this.id,
      sendKey: (to, payload) => this.req('e2ee.key', { payload }),
    });
    e2ee.on('state', (s) => this.emit('e2ee.state', s));
    e2ee.on('error', (e) => this.emit('error', e));
    this.e2ee = e2ee;
    if (!this.peerIdentityKey) throw new Error('an end-to-end encrypted call without the peer\'s identity key');
    await e2ee.start([[PEER, this.peerIdentityKey]]);
    for (const m of this.earlyKeys.splice(0)) e2ee.keyReceived(PEER, m.payload);
  }

  get live() {
    return this.state === 'connecting' || this.state === 'active';
  }

  setState(state) {
    if (this.state === state || this.state === 'ended') return;
    this.state = state;
    this.emit('state', state);
  }

  req(type, fields = {}) {
    return this.client.request(type, { callId: this.id, ...fields });
  }

  /** Answers an incoming call on this device; the first device to accept wins (§5.2). */
  async accept({ stream } = {}) {
    await this.useLocalStream(stream);
    const fields = this.e2eeCall ? { e2ee: { identityKey: (await this.client.identityKey()).wire } } : {};
    const r = await this.req('call.accept', fields);
    this.peer = r.peer || this.peer;
    this.transport = r.transport || this.transport;
    this.setState('connecting');
    await this.openE2ee();
    this.startMedia({ offerer: false, polite: true });
    return this;
  }

  async reject() {
    await this.req('call.reject');
    this.end('rejected', undefined, true);
  }

  async cancel() {
    await this.req('call.cancel');
    this.end('cancelled', undefined, true);
  }

  async hangup(reason) {
    const r = this.req('call.hangup', reason ? { reason } : {});
    this.end(reason || 'hangup', undefined, true);
    await r;
  }

  /** Pushes this live call to another online device of the same user (§5.5). */
  transfer(toDevice) {
    return this.req('call.transfer', { toDevice });
  }

  /** The peer-to-peer or relay session that carries this call's media (null before and after). */
  mediaTransport() {
    return this.session;
  }

  /** Switches microphone or camera (device picker) without renegotiation. */
  async replaceTrack(track) {
    if (!this.localStream) return;
    const old = this.localStream.getTracks().find((t) => t.kind === track.kind);
    if (old) { this.localStream.removeTrack(old); old.stop(); }
    track.enabled = track.kind === 'audio' ? this.local.audio : this.local.video;
    this.localStream.addTrack(track);
    if (this.session) await this.session.replaceTrack(track.kind, track);
  }

  announce() {
    if (!this.live) return Promise.resolve();
    return this.req('call.media', { ...this.local }).catch(() => {});
  }

  /** getStats() summed over this call's peer connections: frames decoded, packets received. */
  stats() {
    if (!this.session) return mediaStats();
    return mediaStats(...this.peerConnections());
  }

  peerConnections() {
    if (!this.session) return [];
    return this.session instanceof PeerMedia ? [this.session.pc] : this.session.peerConnections();
  }

  async useLocalStream(stream) {
    if (this.localStream) return;
    if (stream) {
      this.localStream = stream;
    } else {
      this.localStream = await this.client.getLocalStream(this.media);
      this.ownsLocalStream = true;
    }
    this.emit('localstream', this.localStream);
  }

  startMedia({ offerer, polite }) {
    if (this.session) this.session.close();
    const rtcConfig = this.client.rtcConfig();
    if (this.transport === 'relay') {
      const relay = new RelayMedia({
        context: { callId: this.id }, rtcConfig, request: (t, f) => this.client.request(t, f),
        candidateFilter: this.client.candidateFilter, e2ee: this.e2ee,
      });
      relay.on('track', ({ track }) => this.addRemoteTrack(track));
      relay.on('connectionstate', (s) => this.onConnection(s));
      relay.on('error', (e) => this.emit('error', e));
      this.session = relay;
      relay.publish(this.localStream);
    } else {
      const p2p = new PeerMedia({
        rtcConfig, offerer, polite, localStream: this.localStream, candidateFilter: this.client.candidateFilter,
        e2ee: this.e2ee, send: (type, fields) => this.req(type, fields),
      });
      p2p.on('track', () => this.setRemoteStream(p2p.remoteStream));
      p2p.on('screen', (s) => { this.remoteScreen = s; this.emit('remotescreen', s); });
      p2p.on('connectionstate', (s) => this.onConnection(s));
      p2p.on('icestate', (s) => { if (s === 'failed' && this.client.connected) p2p.restartIce(); });
      p2p.on('error', (e) => this.emit('error', e));
      this.session = p2p;
      this.setRemoteStream(p2p.remoteStream);
    }
    for (const msg of this.earlySignals.splice(0)) this.handle(msg);
  }

  addRemoteTrack(track) {
    if (track.kind === 'video' && track.id.endsWith('-screen')) {
      this.remoteScreen = new MediaStream([track]);
      this.emit('remotescreen', this.remoteScreen);
      return;
    }
    const stream = this.remoteStream || new MediaStream();
    stream.getTracks().filter((t) => t.kind === track.kind).forEach((t) => stream.removeTrack(t));
    stream.addTrack(track);
    this.setRemoteStream(stream);
  }

  setRemoteStream(stream) {
    this.remoteStream = stream;
    this.emit('remotestream', stream);
  }

  onConnection(state) {
    this.emit('connection', state);
    if (state === 'connected' && this.state === 'connecting') {
      // Whichever active device sees media first reports it; a second report is wrong_state.
      this.setState('active');
      this.req('call.connected').catch(() => {});
    }
  }

  /** Called by the client after a resumed session: media may need an ICE restart (§4). */
  resumed() {
    if (!this.session) return;
    const pcs = this.peerConnections();
    if (pcs.some((pc) => pc.iceConnectionState === 'disconnected' || pc.iceConnectionState === 'failed')) {
      this.session.restartIce();
    }
  }

  /** Takes the media over on this device after a push (call.handoff) or a pull (§5.5). */
  async takeOver({ stream } = {}) {
    await this.useLocalStream(stream);
    await this.openE2ee();
    this.startMedia({ offerer: true, polite: false });
    // This device starts with microphone and camera on: tell the other side.
    await this.announce();
  }

  /** One event addressed to this call. */
  /** Relay calls: media.constraints for the other party's video (protocol.md §6.4). */
  setReceiveConstraints(constraints) {
    if (!(this.session instanceof RelayMedia)) return Promise.reject(new Error('receive constraints need a relay call'));
    return this.session.setReceiveConstraints(constraints);
  }

  handle(msg) {
    if (!this.session && /^(call\.(offer|answer|candidate)|relay\.(offer|candidate))$/.test(msg.type)) {
      this.earlySignals.push(msg);
      return;
    }
    switch (msg.type) {
      case 'call.ringing':
        this.setState('ringing');
        this.emit('ringing', { devices: msg.devices });
        break;
      case 'call.accepted':
        this.peer = msg.peer || this.peer;
        this.transport = msg.transport || this.transport;
        this.peerIdentityKey = identityKeyOf(msg) || this.peerIdentityKey;
        this.setState('connecting');
        this.emit('accepted', { peer: this.peer });
        // Keys first, then media: no frame leaves before this device has a sender key.
        this.openE2ee().then(() => this.startMedia({ offerer: true, polite: false }), (e) => {
          this.emit('error', e);
          this.hangup('e2ee_failed').catch(() => {});
        });
        break;
      case 'e2ee.key':
        if (this.e2ee) this.e2ee.keyReceived(PEER, msg.payload);
        else this.earlyKeys.push(msg);
        break;
      case 'call.connected':
        this.setState('active');
        break;
      case 'call.offer':
        if (this.session instanceof PeerMedia) this.session.handleOffer(msg.sdp);
        break;
      case 'call.answer':
        if (this.session instanceof PeerMedia) this.session.handleAnswer(msg.sdp);
        break;
      case 'call.candidate':
        if (this.session instanceof PeerMedia) this.session.handleCandidate(msg);
        break;
      case 'relay.offer':
      case 'relay.candidate':
      case 'media.layers':
        if (this.session instanceof RelayMedia) this.session.handleEvent(msg);
        break;
      case 'relay.reset':
        // the relay restarted: both relay connections start over (protocol.md §6.4)
        if (this.session instanceof RelayMedia) this.startMedia({});
        break;
      case 'call.media':
        for (const k of ['audio', 'video', 'screen']) if (typeof msg[k] === 'boolean') this.remote[k] = msg[k];
        this.emit('remotemedia', { ...this.remote });
        break;
      case 'call.transferred':
        // The other party moved to another device: p2p media starts afresh with it, which offers.
        this.peer = msg.peer || this.peer;
        this.remoteScreen = null;
        if (this.e2ee && identityKeyOf(msg)) {
          // A new device at the other end: a key it never had, so the old device reads nothing more.
          this.peerIdentityKey = identityKeyOf(msg);
          this.e2ee.memberReplaced(PEER, this.peerIdentityKey).catch((e) => this.emit('error', e));
        }
        if (this.transport === 'p2p') {
          this.remoteStream = null;
          this.startMedia({ offerer: false, polite: true });
        }
        this.emit('transferred', { peer: this.peer });
        break;
      case 'call.ended':
        this.end(msg.reason, msg.roomId);
        break;
      default:
        break;
    }
  }

  end(reason, roomId, local = false) {
    if (this.state === 'ended') return;
    this.endReason = reason;
    this.endedLocally = local;
    if (this.session) this.session.close();
    this.session = null;
    if (this.e2ee) this.e2ee.close();
    if (this.localScreen) this.localScreen.getTracks().forEach((t) => t.stop());
    if (this.ownsLocalStream && this.localStream) this.localStream.getTracks().forEach((t) => t.stop());
    this.state = 'ended';
    this.emit('state', 'ended');
    this.emit('ended', { reason, roomId, local });
    this.client.forgetCall(this);
  }
}
