// The frame transform worker of one call or room (docs/e2ee.md): encrypts every encoded frame
// this device sends and decrypts every frame it receives, in SFrame with the clear codec prefix.
// Frames arrive through RTCRtpScriptTransform (the "rtctransform" event) or, where a browser
// only has insertable streams, as streams the page transfers here. Keys come from the page.

import { deriveKey, protectFrame, unprotectFrame } from './sframe.js';

/** How long a sender's older keys stay usable once it has a newer one (E2EE-SPEC: 10 s). */
const OLD_KEY_GRACE_MS = 10000;

const state = {
  send: null,              // {derived, ctr}: the key this device encrypts with now
  keys: new Map(),         // KID (BigInt) -> {derived, sender}: every key frames can be opened with
  newest: new Map(),       // sender -> KID of its newest key
  senders: new Set(),      // RTCRtpScriptTransformer of outgoing streams, for generateKeyFrame()
  counts: {
    encrypted: 0, decrypted: 0, decryptFailures: 0, droppedUnkeyed: 0,
    keyFramesGenerated: 0, keyFramesFailed: 0, keyFramesUnavailable: 0, // after key switches
  },
  failures: { short: 0, unknown_kid: 0, auth: 0 },
  capture: 0,              // test hook: keep the last N frames received, as they arrived and decrypted
  captured: [],
};

function report() {
  self.postMessage({ type: 'counts', counts: { ...state.counts }, failures: { ...state.failures } });
}
let reportTimer = null;
function reportSoon() {
  if (!reportTimer) reportTimer = setTimeout(() => { reportTimer = null; report(); }, 250);
}

function encryptor(kind) {
  return new TransformStream({
    async transform(frame, controller) {
      const send = state.send;
      // Nothing leaves in clear: without a key yet, the frame is dropped.
      if (!send) { state.counts.droppedUnkeyed++; return; }
      // One counter per key across audio and video: a (key, nonce) pair is never used twice.
      const ctr = send.ctr++;
      frame.data = (await protectFrame(send.derived, ctr, kind, new Uint8Array(frame.data))).buffer;
      state.counts.encrypted++;
      controller.enqueue(frame);
    },
  });
}

function decryptor(kind) {
  return new TransformStream({
    async transform(frame, controller) {
      const data = new Uint8Array(frame.data);
      let kept = null;
      if (state.capture > 0) {
        kept = { kind, data: data.slice(), clear: null, at: Date.now() };
        state.captured.push(kept);
        if (state.captured.length > state.capture) state.captured.shift();
      }
      try {
        const { frame: clear } = await unprotectFrame((kid) => (state.keys.get(kid) || {}).derived, kind, data);
        if (kept) kept.clear = clear.slice();
        frame.data = clear.buffer;
        state.counts.decrypted++;
        controller.enqueue(frame);
      } catch (e) {
        // Never hand ciphertext to the decoder: the frame is dropped and counted.
        state.counts.decryptFailures++;
        if (e.reason) state.failures[e.reason]++;
        reportSoon();
      }
    },
  });
}

function attach({ side, kind }, readable, writable, transformer) {
  if (side === 'send' && transformer) state.senders.add(transformer);
  readable.pipeThrough(side === 'send' ? encryptor(kind) : decryptor(kind)).pipeTo(writable)
    .catch(() => {})
    .finally(() => { if (transformer) state.senders.delete(transformer); });
}

// RTCRtpScriptTransform: the browser hands each sender/receiver's transformer to this worker.
self.onrtctransform = (event) => {
  const t = event.transformer;
  attach(t.options, t.readable, t.writable, t);
};

function requestKeyFrames() {
  for (const t of state.senders) {
    if (t.options.kind !== 'video') continue;
    if (typeof t.generateKeyFrame !== 'function') { state.counts.keyFramesUnavailable++; continue; }
    t.generateKeyFrame().then(() => { state.counts.keyFramesGenerated++; }, () => { state.counts.keyFramesFailed++; });
  }
}

async function addKey(sender, kid, key) {
  const derived = await deriveKey(key, kid);
  const k = BigInt(kid);
  state.keys.set(k, { derived, sender });
  const older = state.newest.get(sender);
  state.newest.set(sender, k);
  if (older !== undefined && older !== k) {
    setTimeout(() => { if (state.newest.get(sender) !== older) state.keys.delete(older); }, OLD_KEY_GRACE_MS);
  }
  return derived;
}

self.onmessage = async ({ data: m }) => {
  switch (m.type) {
    case 'streams': // insertable streams: the page transferred one sender's or receiver's streams
      attach(m, m.readable, m.writable, null);
      break;
    case 'sendKey': {
      // This device's own key, also usable to open its own frames (loopback, tests).
      const derived = await addKey('self', m.kid, m.key);
      state.send = { derived, ctr: 0 };
      requestKeyFrames();
      self.postMessage({ type: 'ack', id: m.id });
      break;
    }
    case 'receiveKey':
      await addKey(m.sender, m.kid, m.key);
      self.postMessage({ type: 'ack', id: m.id });
      break;
    case 'forgetSender':
      for (const [kid, entry] of state.keys) if (entry.sender === m.sender) state.keys.delete(kid);
      state.newest.delete(m.sender);
      break;
    case 'capture':
      state.capture = m.frames;
      state.captured = [];
      break;
    case 'captured':
      self.postMessage({ type: 'captured', id: m.id, frames: state.captured.slice() });
      break;
    case 'counts':
      report();
      break;
    default:
      break;
  }
};
