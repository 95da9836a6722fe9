// Media through the Parley relay (protocol.md §6.4), for rooms and for relay-mode calls.

import { Emitter } from './emitter.js';
import { filterSdp } from './ice.js';
import { limitToVp8, needsInsertableStreams } from './e2ee/session.js';

/**
 * The camera's simulcast layers (RFC 8853), lowest first: the relay takes the order of
 * a=simulcast as its layer order (docs/relay.md, Simulcast). A screen share is sent as one layer.
 */
export const SIMULCAST_ENCODINGS = Object.freeze([
  { rid: 'q', scaleResolutionDownBy: 4 },
  { rid: 'h', scaleResolutionDownBy: 2 },
  { rid: 'f', scaleResolutionDownBy: 1 },
]);

/**
 * Puts the camera codec `name` ("H264", "VP8", ...) first in what the transceiver offers; the
 * relay's answer keeps the offer's order, so the browser sends it (docs/relay.md, SDP). Of H.264
 * the relay forwards constrained baseline with packetization-mode 1 (profile-level-id 42e01f), so
 * that variant goes before the others. Codecs stay in the list, only their order changes.
 */
function preferVideoCodec(transceiver, name) {
  if (typeof transceiver.setCodecPreferences !== 'function' || !RTCRtpReceiver.getCapabilities) return;
  const wanted = `video/${name}`.toLowerCase();
  const rank = (c) => {
    if (c.mimeType.toLowerCase() !== wanted) return 2;
    const fmtp = (c.sdpFmtpLine || '').toLowerCase();
    return wanted !== 'video/h264' || (fmtp.includes('packetization-mode=1') && fmtp.includes('profile-level-id=42e01f'))
      ? 0 : 1;
  };
  const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
  if (!codecs.some((c) => rank(c) === 0)) throw new Error(`videoCodec: this browser has no ${name}`);
  transceiver.setCodecPreferences([...codecs].sort((a, b) => rank(a) - rank(b)));
}

/**
 * Two peer connections with the relay. On the publisher connection this client offers (it knows
 * what it sends); on the subscriber connection the relay offers (it knows what this client
 * receives). With one offerer per connection, renegotiation can never glare.
 *
 * The relay labels every track it sends with msid "<publishing endpoint> <track id>" (RFC 8830),
 * so a remote track maps to its participant through its stream id. The first video this client
 * publishes is its camera; a later one is its screen share.
 */
export class RelayMedia extends Emitter {
  /**
   * @param {object} o
   * @param {object} o.context {roomId} or {callId}
   * @param {RTCConfiguration} o.rtcConfig
   * @param {(type: string, fields: object) => Promise<object>} o.request a signaling request
   * @param {(candidate: string) => boolean} [o.candidateFilter] which local candidates to announce
   * @param {import('./e2ee/session.js').E2eeSession} [o.e2ee] encrypts what is sent, decrypts what arrives
   * @param {boolean} [o.simulcast] send camera video as the three layers of SIMULCAST_ENCODINGS
   * @param {string} [o.videoCodec] camera codec to offer first ("H264", "VP8"); the browser's order
   *   when absent; ignored with end-to-end encryption (VP8 only)
   */
  constructor({ context, rtcConfig, request, candidateFilter, e2ee, simulcast = false, videoCodec = null }) {
    super();
    this.simulcast = simulcast;
    this.videoCodec = videoCodec;
    this.candidateFilter = candidateFilter || null;
    this.context = context;
    this.e2ee = e2ee || null;
    this.rtcConfig = { ...rtcConfig, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
    if (this.e2ee && needsInsertableStreams()) this.rtcConfig.encodedInsertableStreams = true;
    this.request = request;
    this.publisher = null;
    this.publisherCandidates = [];
    this.publisherOffered = false;
    this.pubChain = Promise.resolve();
    this.subChain = Promise.resolve();
    this.subscriberCandidates = [];
    this.subscriberAnswered = false;
    this.remoteSubscriberCandidates = [];
    this.screenSender = null;
    this.cameraSenders = [];

    this.subscriber = new RTCPeerConnection(this.rtcConfig);
    this.subscriber.onicecandidate = ({ candidate }) => this.sendCandidate('subscriber', candidate);
    this.subscriber.ontrack = (e) => {
      if (this.e2ee) this.e2ee.attachReceiver(e.receiver, e.track.kind);
      this.emit('track', { track: e.track, streams: e.streams, transceiver: e.transceiver });
    };
    this.subscriber.onconnectionstatechange = () => this.emit('connectionstate', this.state());
  }

  state() {
    const states = [this.subscriber, this.publisher].filter(Boolean).map((pc) => pc.connectionState);
    if (states.includes('failed')) return 'failed';
    if (states.includes('disconnected')) return 'disconnected';
    if (states.every((s) => s === 'connected')) return 'connected';
    return 'connecting';
  }

  sendCandidate(connection, candidate) {
    if (candidate && this.candidateFilter && !this.candidateFilter(candidate.candidate)) return;
    const fields = { ...this.context, connection, candidate: candidate ? candidate.candidate : '' };
    if (candidate) {
      fields.sdpMid = candidate.sdpMid;
      fields.sdpMLineIndex = candidate.sdpMLineIndex;
    }
    // The relay learns of a connection from its SDP: candidates wait until that has gone out.
    const ready = connection === 'publisher' ? this.publisherOffered : this.subscriberAnswered;
    if (!ready) {
      (connection === 'publisher' ? this.publisherCandidates : this.subscriberCandidates).push(fields);
      return;
    }
    this.request('relay.candidate', fields).catch((e) => this.emit('error', e));
  }

  flush(connection) {
    const list = connection === 'publisher' ? this.publisherCandidates : this.subscriberCandidates;
    list.splice(0).forEach((f) => this.request('relay.candidate', f).catch((e) => this.emit('error', e)));
  }

  /** Starts sending camera and microphone; audio first, then camera video (the relay's order). */
  publish(stream) {
    if (!this.publisher) {
      this.publisher = new RTCPeerConnection(this.rtcConfig);
      this.publisher.onicecandidate = ({ candidate }) => this.sendCandidate('publisher', candidate);
      this.publisher.onnegotiationneeded = () => this.offer();
      this.publisher.onconnectionstatechange = () => this.emit('connectionstate', this.state());
    }
    const ordered = [...stream.getAudioTracks(), ...stream.getVideoTracks()];
    for (const track of ordered) {
      const init = { direction: 'sendonly', streams: [stream] };
      if (track.kind === 'video' && this.simulcast) init.sendEncodings = SIMULCAST_ENCODINGS.map((e) => ({ ...e }));
      const transceiver = this.publisher.addTransceiver(track, init);
      const { sender } = transceiver;
      if (track.kind === 'video' && this.videoCodec && !this.e2ee) preferVideoCodec(transceiver, this.videoCodec);
      this.protect(transceiver, track.kind);
      this.cameraSenders.push(sender);
    }
  }

  offer() {
    this.pubChain = this.pubChain.then(async () => {
      const pc = this.publisher;
      if (pc.signalingState !== 'stable') return;
      await pc.setLocalDescription();
      const reply = this.request('relay.offer', { ...this.context, sdp: filterSdp(pc.localDescription.sdp, this.candidateFilter) });
      this.publisherOffered = true;
      this.flush('publisher');
      const answer = await reply;
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    }).catch((e) => this.emit('error', e));
    return this.pubChain;
  }

  startScreen(track, stream) {
    if (this.screenSender) return this.screenSender.replaceTrack(track);
    const transceiver = this.publisher.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    this.screenSender = transceiver.sender;
    this.protect(transceiver, 'video');
    return Promise.resolve();
  }

  /** End-to-end encryption of what this transceiver sends, in VP8 for video (docs/e2ee.md). */
  protect(transceiver, kind) {
    if (!this.e2ee) return;
    this.e2ee.attachSender(transceiver.sender, kind);
    if (kind === 'video') limitToVp8(transceiver);
  }

  stopScreen() {
    if (this.screenSender) return this.screenSender.replaceTrack(null);
    return Promise.resolve();
  }

  async replaceTrack(kind, track) {
    const sender = this.cameraSenders.find((s) => s.track && s.track.kind === kind);
    if (sender) await sender.replaceTrack(track);
  }

  /**
   * media.constraints (protocol.md §6.4): what this device wants of the video it receives.
   * @param {{lastN?: number|null, pinned?: string[], onStage?: string[],
   *   sources?: {participantId: string, kind: 'video'|'screen', maxHeight?: number, maxFrameRate?: number, off?: boolean}[]}} c
   */
  setReceiveConstraints(c) {
    return this.request('media.constraints', { ...this.context, ...c });
  }

  /**
   * media.layers: which simulcast layers of the camera some receiver needs (index 0 the lowest).
   * The encoder stops spending on the others; turned back on, a layer starts with a keyframe.
   */
  async applyLayers(msg) {
    if (msg.kind !== 'video') return;
    const sender = this.cameraSenders.find((s) => s.track && s.track.kind === 'video');
    if (!sender) return;
    const params = sender.getParameters();
    if (!params.encodings || params.encodings.length !== msg.active.length) return;
    let changed = false;
    params.encodings.forEach((e, i) => {
      if (e.active !== msg.active[i]) {
        e.active = msg.active[i];
        changed = true;
      }
    });
    if (changed) await sender.setParameters(params);
    this.emit('layers', { active: msg.active.slice() });
  }

  /** A relay.offer, relay.candidate or media.layers event for this context. */
  handleEvent(msg) {
    if (msg.type === 'media.layers') {
      this.applyLayers(msg).catch((e) => this.emit('error', e));
    } else if (msg.type === 'relay.offer') {
      this.subChain = this.subChain.then(async () => {
        const pc = this.subscriber;
        await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
        await pc.setLocalDescription();
        await this.request('relay.answer', { ...this.context, sdp: filterSdp(pc.localDescription.sdp, this.candidateFilter) });
        this.subscriberAnswered = true;
        this.flush('subscriber');
        for (const c of this.remoteSubscriberCandidates.splice(0)) await pc.addIceCandidate(c);
      }).catch((e) => this.emit('error', e));
    } else if (msg.type === 'relay.candidate') {
      const c = msg.candidate === ''
        ? null
        : { candidate: msg.candidate, sdpMid: msg.sdpMid ?? null, sdpMLineIndex: msg.sdpMLineIndex ?? (msg.sdpMid ? null : 0) };
      if (msg.connection === 'publisher') {
        this.pubChain = this.pubChain.then(() => this.publisher && this.publisher.addIceCandidate(c))
          .catch((e) => this.emit('error', e));
      } else {
        this.subChain = this.subChain.then(() => {
          if (!this.subscriber.remoteDescription) this.remoteSubscriberCandidates.push(c);
          else return this.subscriber.addIceCandidate(c);
        }).catch((e) => this.emit('error', e));
      }
    }
  }

  /** ICE restart on the publisher connection (the relay restarts the subscriber one itself). */
  restartIce() {
    if (this.publisher) this.publisher.restartIce();
  }

  peerConnections() {
    return [this.publisher, this.subscriber].filter(Boolean);
  }

  close() {
    if (this.publisher) this.publisher.close();
    this.subscriber.close();
  }
}
