// The peer connection of a one-to-one call that goes straight between the two active devices
// (protocol.md §5.4, transport "p2p"): SDP and trickle ICE ride on call.offer/answer/candidate.

import { Emitter } from './emitter.js';
import { filterSdp } from './ice.js';
import { limitToVp8, needsInsertableStreams } from './e2ee/session.js';

/**
 * Negotiation follows the W3C "perfect negotiation" pattern (WebRTC 1.0 §10.7 example): either
 * side may renegotiate (screen share, ICE restart after resume); on an offer collision the
 * impolite side ignores the remote offer and the polite side rolls back its own. The protocol's
 * one extra rule: the callee waits for the caller's first offer (§5.4), so it only gains the right
 * to offer once the first exchange is done.
 *
 * Tracks: the first video transceiver carries the camera; any later video transceiver is a screen
 * share, so the receiver can tell them apart without SDP munging.
 */
export class PeerMedia extends Emitter {
  /**
   * @param {object} o
   * @param {RTCConfiguration} o.rtcConfig iceServers (from welcome) and iceTransportPolicy
   * @param {boolean} o.offerer true: make the first offer now; false: wait for the remote one
   * @param {boolean} o.polite whether this side yields on an offer collision
   * @param {(type: string, fields: object) => Promise} o.send sends call.offer/answer/candidate
   * @param {MediaStream} o.localStream camera and microphone to send
   * @param {(candidate: string) => boolean} [o.candidateFilter] which local candidates to announce
   * @param {import('./e2ee/session.js').E2eeSession} [o.e2ee] encrypts what is sent, decrypts what arrives
   */
  constructor({ rtcConfig, offerer, polite, send, localStream, candidateFilter, e2ee }) {
    super();
    this.e2ee = e2ee || null;
    const config = { ...rtcConfig, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
    if (this.e2ee && needsInsertableStreams()) config.encodedInsertableStreams = true;
    this.pc = new RTCPeerConnection(config);
    this.polite = polite;
    this.mayOffer = offerer;
    this.send = send;
    this.candidateFilter = candidateFilter || null;
    this.localStream = localStream;
    this.localAttached = false;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.remoteCandidates = [];
    this.chain = Promise.resolve();
    this.remoteStream = new MediaStream();
    this.remoteScreen = null;
    this.cameraMid = null;
    this.screenSender = null;

    const pc = this.pc;
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && this.candidateFilter && !this.candidateFilter(candidate.candidate)) return;
      this.send('call.candidate', candidate
        ? { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex }
        : { candidate: '' }).catch(() => {});
    };
    pc.onnegotiationneeded = () => this.negotiate();
    pc.ontrack = (e) => this.onTrack(e);
    pc.onconnectionstatechange = () => this.emit('connectionstate', pc.connectionState);
    pc.oniceconnectionstatechange = () => this.emit('icestate', pc.iceConnectionState);
    if (offerer) this.attachLocal();
  }

  attachLocal() {
    if (this.localAttached || !this.localStream) return;
    this.localAttached = true;
    for (const track of this.localStream.getTracks()) this.protect(this.pc.addTrack(track, this.localStream), track.kind);
  }

  async negotiate() {
    if (!this.mayOffer || this.pc.signalingState === 'closed') return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.send('call.offer', { sdp: this.localSdp() }).catch((e) => this.emit('error', e));
    } catch (e) {
      this.emit('error', e);
    } finally {
      this.makingOffer = false;
    }
  }

  localSdp() {
    return filterSdp(this.pc.localDescription.sdp, this.candidateFilter);
  }

  /** Remote signalling is applied strictly in arrival order. */
  enqueue(fn) {
    this.chain = this.chain.then(fn).catch((e) => this.emit('error', e));
    return this.chain;
  }

  handleOffer(sdp) {
    return this.enqueue(async () => {
      const collision = this.makingOffer || this.pc.signalingState !== 'stable';
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      await this.pc.setRemoteDescription({ type: 'offer', sdp }); // rolls back our offer if any
      // Tracks added now reuse the transceivers the offer created, so the answer sends on them.
      this.attachLocal();
      await this.pc.setLocalDescription();
      await this.send('call.answer', { sdp: this.localSdp() });
      await this.flushCandidates();
      this.mayOffer = true;
    });
  }

  handleAnswer(sdp) {
    return this.enqueue(async () => {
      if (this.pc.signalingState !== 'have-local-offer') return; // a stale answer after rollback
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
      await this.flushCandidates();
    });
  }

  handleCandidate(msg) {
    return this.enqueue(async () => {
      const c = msg.candidate === ''
        ? null
        : { candidate: msg.candidate, sdpMid: msg.sdpMid ?? null, sdpMLineIndex: msg.sdpMLineIndex ?? null };
      if (!this.pc.remoteDescription) {
        this.remoteCandidates.push(c);
        return;
      }
      await this.addCandidate(c);
    });
  }

  async addCandidate(c) {
    try {
      await this.pc.addIceCandidate(c);
    } catch (e) {
      if (!this.ignoreOffer) throw e;
    }
  }

  async flushCandidates() {
    const list = this.remoteCandidates;
    this.remoteCandidates = [];
    for (const c of list) await this.addCandidate(c);
  }

  protect(sender, kind) {
    if (!this.e2ee) return sender;
    this.e2ee.attachSender(sender, kind);
    const transceiver = this.pc.getTransceivers().find((t) => t.sender === sender);
    // A transceiver made here receives too: its receiver gets its transform now, before any frame
    // (Chromium does not apply a transform set later, in ontrack, to a receiver it made itself).
    if (transceiver) this.e2ee.attachReceiver(transceiver.receiver, kind);
    if (kind === 'video') limitToVp8(transceiver);
    return sender;
  }

  onTrack(e) {
    const track = e.track;
    if (this.e2ee) this.e2ee.attachReceiver(e.receiver, track.kind);
    const mid = e.transceiver ? e.transceiver.mid : null;
    if (track.kind === 'video' && this.cameraMid !== null && mid !== this.cameraMid) {
      this.remoteScreen = new MediaStream([track]);
      this.emit('screen', this.remoteScreen);
      return;
    }
    if (track.kind === 'video') this.cameraMid = mid;
    for (const old of this.remoteStream.getTracks()) {
      if (old.kind === track.kind) this.remoteStream.removeTrack(old);
    }
    this.remoteStream.addTrack(track);
    this.emit('track', { track, stream: this.remoteStream });
  }

  /** Sends a screen (or any second video) on its own transceiver; renegotiates. */
  startScreen(track, stream) {
    if (this.screenSender) {
      return this.screenSender.replaceTrack(track);
    }
    this.screenSender = this.protect(this.pc.addTrack(track, stream), 'video');
    return Promise.resolve();
  }

  stopScreen() {
    // Keep the transceiver (no renegotiation); the peer learns from call.media screen=false.
    if (this.screenSender) return this.screenSender.replaceTrack(null);
    return Promise.resolve();
  }

  /** Swaps the camera or microphone track without renegotiating (device picker). */
  async replaceTrack(kind, track) {
    for (const sender of this.pc.getSenders()) {
      if (sender.track && sender.track.kind === kind && sender !== this.screenSender) {
        await sender.replaceTrack(track);
        return;
      }
    }
  }

  /** ICE restart (RFC 8445 §9): used after a resume when the network path may have changed. */
  restartIce() {
    if (this.mayOffer && this.pc.signalingState !== 'closed') this.pc.restartIce();
  }

  get connected() {
    return this.pc.connectionState === 'connected';
  }

  close() {
    this.pc.close();
  }
}
