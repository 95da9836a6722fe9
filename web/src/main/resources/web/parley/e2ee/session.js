// End-to-end encryption of one call or room as this device takes part in it (docs/e2ee.md): the
// other members' identity keys, this device's sender key and its rotation, the sender keys the
// others sent, the frame transforms on every RTCRtpSender and RTCRtpReceiver, the safety code.

import { Emitter } from '../emitter.js';
import { fromB64url, toB64url, newSenderKey, safetyCode } from './identity.js';

/** A joiner's keys should arrive before the others switch (E2EE-SPEC "Rekeying"). */
export const JOIN_SWITCH_DELAY_MS = 300;

/** Whether this browser can transform encoded frames (WebRTC Encoded Transform or insertable streams). */
export function canEncrypt() {
  return typeof RTCRtpScriptTransform === 'function'
    || (typeof RTCRtpSender !== 'undefined' && typeof RTCRtpSender.prototype.createEncodedStreams === 'function');
}

/** Insertable streams need the peer connection to be made for them; script transform does not. */
export function needsInsertableStreams() {
  return typeof RTCRtpScriptTransform !== 'function';
}

/**
 * Sends video on this transceiver as VP8 only. The clear prefix is VP8's (docs/e2ee.md), and
 * other codecs' packetizers parse the frame (H.264 NAL units, AV1 OBUs), which an encrypted frame
 * no longer is.
 */
export function limitToVp8(transceiver) {
  const vp8 = ((RTCRtpReceiver.getCapabilities && RTCRtpReceiver.getCapabilities('video')) || { codecs: [] }).codecs
    .filter((c) => /^video\/(VP8|rtx)$/i.test(c.mimeType));
  if (transceiver && vp8.length && typeof transceiver.setCodecPreferences === 'function') transceiver.setCodecPreferences(vp8);
}

/**
 * Events: state {encrypted, safetyCode} (e2ee.state in docs/client-library.md), counts
 * {encrypted, decrypted, decryptFailures, ...}, error.
 */
export class E2eeSession extends Emitter {

  /**
   * @param {object} o
   * @param {import('./identity.js').IdentityKey} o.identity this device's identity key
   * @param {string} o.contextId the room or call id (the AAD of every key payload)
   * @param {(memberId: string, payload: string) => Promise} o.sendKey sends one e2ee.key request
   */
  constructor({ identity, contextId, sendKey }) {
    super();
    this.identity = identity;
    this.contextId = contextId;
    this.sendKeyTo = sendKey;
    this.members = new Map(); // memberId -> raw identity key (65 bytes)
    this.sendKey = null;      // {kid, key} in use
    this.pendingSwitch = null;
    this.generation = 0;
    this.safety = null;
    this.counts = { encrypted: 0, decrypted: 0, decryptFailures: 0 };
    this.failures = {};
    this.received = new Map(); // memberId -> [{kid, key}] received, newest last (tests, diagnostics)
    this.nextId = 1;
    this.acks = new Map();
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: `parley-e2ee-${contextId}` });
    this.worker.onmessage = ({ data }) => this.onWorker(data);
    this.worker.onerror = (e) => this.emit('error', new Error(`E2EE worker failed: ${e.message}`));
    this.closed = false;
  }

  onWorker(m) {
    if (m.type === 'counts') {
      this.counts = m.counts;
      this.failures = m.failures;
      this.emit('counts', { ...m.counts, failures: m.failures });
    } else if (m.id && this.acks.has(m.id)) {
      this.acks.get(m.id)(m);
      this.acks.delete(m.id);
    }
  }

  /** Posts to the worker; resolves when it has applied the message (keys are derived there). */
  call(message, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.acks.set(id, resolve);
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Encrypts what this sender sends; call before media flows (right after addTrack/addTransceiver). */
  attachSender(sender, kind) {
    this.attach(sender, 'send', kind);
  }

  /** Decrypts what this receiver receives; call in ontrack. */
  attachReceiver(receiver, kind) {
    this.attach(receiver, 'receive', kind);
  }

  attach(endpoint, side, kind) {
    if (!endpoint || endpoint.parleyE2ee) return;
    endpoint.parleyE2ee = true;
    if (typeof RTCRtpScriptTransform === 'function') {
      endpoint.transform = new RTCRtpScriptTransform(this.worker, { side, kind });
    } else {
      const { readable, writable } = endpoint.createEncodedStreams();
      this.worker.postMessage({ type: 'streams', side, kind, readable, writable }, [readable, writable]);
    }
  }

  /** The members at the start (the join reply's participants, or the call's peer): keys go out now. */
  async start(members) {
    for (const [id, wire] of members) this.addMember(id, wire);
    await this.rekey(0);
    await this.updateSafetyCode();
  }

  addMember(id, wire) {
    if (!wire) return false;
    this.members.set(id, fromB64url(wire));
    return true;
  }

  /** Someone joined: a new key for everyone including the joiner, used after 300 ms. */
  async memberJoined(id, wire) {
    if (this.members.has(id) || !this.addMember(id, wire)) return;
    await this.updateSafetyCode();
    await this.rekey(JOIN_SWITCH_DELAY_MS);
  }

  /**
   * Someone left (or a call moved to another device): its keys are forgotten and this device
   * switches at once to a key the leaver never had, so it cannot decrypt what follows.
   */
  async memberLeft(id) {
    if (!this.members.delete(id)) return;
    this.received.delete(id);
    this.worker.postMessage({ type: 'forgetSender', sender: id });
    await this.updateSafetyCode();
    await this.rekey(0);
  }

  /** The other end of a call is now another device (hand-off): a new peer identity. */
  async memberReplaced(id, wire) {
    if (this.members.has(id)) {
      this.members.delete(id);
      this.worker.postMessage({ type: 'forgetSender', sender: id });
    }
    this.addMember(id, wire);
    await this.updateSafetyCode();
    await this.rekey(0);
  }

  /** A new sender key, sent wrapped to every member; switched to after delayMs. */
  async rekey(delayMs) {
    const generation = ++this.generation;
    const next = newSenderKey();
    const sends = [...this.members].map(([id, raw]) => this.identity.wrap(raw, this.contextId, next)
      .then((payload) => this.sendKeyTo(id, payload))
      .catch((e) => this.emit('error', e)));
    await Promise.all(sends);
    if (this.closed || generation !== this.generation) return;
    const use = async () => {
      if (this.closed || generation !== this.generation) return;
      this.sendKey = next;
      await this.call({ type: 'sendKey', kid: next.kid, key: next.key });
      this.emitState();
    };
    clearTimeout(this.pendingSwitch);
    if (delayMs > 0 && this.sendKey) this.pendingSwitch = setTimeout(use, delayMs);
    else await use();
  }

  /** An e2ee.key event from a member: its new sender key for this device. */
  async keyReceived(memberId, payload, wire) {
    if (!this.members.has(memberId) && wire) this.addMember(memberId, wire);
    const raw = this.members.get(memberId);
    if (!raw) return;
    try {
      const { kid, key } = await this.identity.unwrap(raw, this.contextId, payload);
      await this.call({ type: 'receiveKey', sender: memberId, kid, key });
      const list = this.received.get(memberId) || [];
      list.push({ kid, key: toB64url(key) });
      this.received.set(memberId, list);
      this.emitState();
    } catch (e) {
      this.emit('error', new Error(`a key from ${memberId} could not be opened: ${e.message}`));
    }
  }

  async updateSafetyCode() {
    this.safety = await safetyCode([this.identity.publicRaw, ...this.members.values()]);
    this.emitState();
  }

  get state() {
    return { encrypted: !!this.sendKey && !this.closed, safetyCode: this.safety };
  }

  emitState() {
    this.emit('state', this.state);
  }

  /** Frame counters from the worker: {encrypted, decrypted, decryptFailures, failures}. */
  async frameCounts() {
    const next = this.once('counts');
    this.worker.postMessage({ type: 'counts' });
    return next;
  }

  /**
   * Test hook: keep the last n frames received, each {kind, data (as it arrived: what the relay
   * forwarded), clear (decrypted, null if it did not open), at}.
   */
  captureReceived(n) {
    this.worker.postMessage({ type: 'capture', frames: n });
  }

  async capturedFrames() {
    return (await this.call({ type: 'captured' })).frames;
  }

  close() {
    this.closed = true;
    clearTimeout(this.pendingSwitch);
    this.worker.terminate();
    this.emitState();
  }
}
