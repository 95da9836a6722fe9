// SFrame (RFC 9605) with cipher suite AES_128_GCM_SHA256_128 (0x0004) on WebCrypto, and the
// clear codec prefix Parley leaves readable for the relay (docs/e2ee.md). Runs in a page and in
// the transform worker alike: only WebCrypto and typed arrays.

export const CIPHER_SUITE = 0x0004;
const NK = 16; // AES-128 key (RFC 9605 §4.5, suite 0x0004)
const NN = 12; // nonce
export const TAG_LENGTH = 16;
const ENC = new TextEncoder();

/** Bytes of the encoded frame left readable (E2EE-SPEC): what the relay's keyframe detection reads. */
export const CLEAR_BYTES = { audio: 1, videoKey: 10, videoDelta: 3 };

/**
 * How many leading bytes of a frame stay in clear. VP8's frame tag (RFC 6386 §9.1) says itself
 * whether a frame is a keyframe: bit 0 of the first byte is 0 for a keyframe. Reading it instead
 * of the browser's frame type makes sender and receiver agree on the same bytes.
 */
export function clearLength(kind, data) {
  if (kind === 'audio') return CLEAR_BYTES.audio;
  if (data.length === 0) return 0;
  return (data[0] & 0x01) === 0 ? CLEAR_BYTES.videoKey : CLEAR_BYTES.videoDelta;
}

// ---- header (RFC 9605 §4.3) -----------------------------------------------------------------

function minBytes(v) {
  let n = 1;
  while (v >> BigInt(8 * n) > 0n) n++;
  return n;
}

function writeBE(out, offset, v, n) {
  for (let i = n - 1; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

function readBE(data, offset, n) {
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(data[offset + i]);
  return v;
}

/**
 * The SFrame header: config byte X|K(3)|Y|C(3), then the KID and CTR in big-endian. A value
 * under 8 fits in its 3 bits; a larger one is written in as few bytes as it needs, the 3 bits
 * holding that length minus one and X (KID) or Y (CTR) set.
 */
export function encodeHeader(kid, ctr) {
  const k = BigInt(kid);
  const c = BigInt(ctr);
  const kidLen = k < 8n ? 0 : minBytes(k);
  const ctrLen = c < 8n ? 0 : minBytes(c);
  const out = new Uint8Array(1 + kidLen + ctrLen);
  let config = 0;
  config |= kidLen ? 0x80 | ((kidLen - 1) << 4) : Number(k) << 4;
  config |= ctrLen ? 0x08 | (ctrLen - 1) : Number(c);
  out[0] = config;
  if (kidLen) writeBE(out, 1, k, kidLen);
  if (ctrLen) writeBE(out, 1 + kidLen, c, ctrLen);
  return out;
}

/** {kid, ctr (BigInt), length} of the header at data[offset], or null when it runs past the end. */
export function decodeHeader(data, offset = 0) {
  if (offset >= data.length) return null;
  const config = data[offset];
  const kidLen = config & 0x80 ? ((config >> 4) & 0x07) + 1 : 0;
  const ctrLen = config & 0x08 ? (config & 0x07) + 1 : 0;
  const length = 1 + kidLen + ctrLen;
  if (offset + length > data.length) return null;
  const kid = kidLen ? readBE(data, offset + 1, kidLen) : BigInt((config >> 4) & 0x07);
  const ctr = ctrLen ? readBE(data, offset + 1 + kidLen, ctrLen) : BigInt(config & 0x07);
  return { kid, ctr, length };
}

// ---- keys (RFC 9605 §4.4.2) -----------------------------------------------------------------

function label(text, kid) {
  const t = ENC.encode(text);
  const out = new Uint8Array(t.length + 8 + 2);
  out.set(t);
  writeBE(out, t.length, BigInt(kid), 8);
  writeBE(out, t.length + 8, BigInt(CIPHER_SUITE), 2);
  return out;
}

/**
 * sframe_key and sframe_salt of one base key: HKDF-SHA256 with an empty salt (the extract step)
 * and the labels "SFrame 1.0 Secret key " / "SFrame 1.0 Secret salt " + KID(8) + suite(2).
 * Resolves with {kid, key: CryptoKey (AES-GCM), keyBytes, salt}; keyBytes only for tests.
 */
export async function deriveKey(baseKey, kid) {
  const ikm = await crypto.subtle.importKey('raw', baseKey, 'HKDF', false, ['deriveBits']);
  const expand = (info, bytes) => crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info }, ikm, bytes * 8);
  const keyBytes = new Uint8Array(await expand(label('SFrame 1.0 Secret key ', kid), NK));
  const salt = new Uint8Array(await expand(label('SFrame 1.0 Secret salt ', kid), NN));
  const key = await crypto.subtle.importKey('raw', keyBytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { kid: BigInt(kid), key, keyBytes, salt };
}

/** nonce = sframe_salt XOR CTR, CTR big-endian over the nonce's 12 bytes (RFC 9605 §4.4.3). */
export function nonceFor(salt, ctr) {
  const n = new Uint8Array(NN);
  writeBE(n, 0, BigInt(ctr), NN);
  for (let i = 0; i < NN; i++) n[i] ^= salt[i];
  return n;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

// ---- frames (RFC 9605 §4.4.3, §4.4.4) -------------------------------------------------------

/**
 * SFrame encrypt: header || AES-GCM(key, nonce, aad = header || metadata, plaintext), where the
 * tag (16 bytes) ends the ciphertext. Returns header || ciphertext.
 */
export async function encrypt(derived, ctr, metadata, plaintext) {
  const header = encodeHeader(derived.kid, ctr);
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonceFor(derived.salt, ctr), additionalData: concat(header, metadata), tagLength: 128 },
    derived.key, plaintext);
  return concat(header, new Uint8Array(ct));
}

/** SFrame decrypt of header || ciphertext given its parsed header; rejects when the tag fails. */
export async function decrypt(derived, header, metadata, sframe) {
  const h = sframe.subarray(0, header.length);
  const pt = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: nonceFor(derived.salt, header.ctr), additionalData: concat(h, metadata), tagLength: 128 },
    derived.key, sframe.subarray(header.length));
  return new Uint8Array(pt);
}

/**
 * A media frame protected for the relay's eyes: clear || sframe_header || ciphertext || tag.
 * The clear bytes are SFrame metadata, so they are authenticated too.
 */
export async function protectFrame(derived, ctr, kind, frame) {
  const n = Math.min(clearLength(kind, frame), frame.length);
  const clear = frame.subarray(0, n);
  return concat(clear, await encrypt(derived, ctr, clear, frame.subarray(n)));
}

/**
 * The receiving side: finds the header after the clear prefix, looks its KID up with
 * keyFor(kid) (a derived key or undefined) and decrypts. Rejects with an Error whose `reason`
 * is "short", "unknown_kid" or "auth" when the frame cannot be opened.
 */
export async function unprotectFrame(keyFor, kind, data) {
  const n = clearLength(kind, data);
  const header = decodeHeader(data, n);
  if (!header || data.length < n + header.length + TAG_LENGTH) throw failure('short');
  const derived = keyFor(header.kid);
  if (!derived) throw failure('unknown_kid');
  const clear = data.subarray(0, n);
  try {
    const pt = await decrypt(derived, header, clear, data.subarray(n));
    return { frame: concat(clear, pt), kid: header.kid };
  } catch (e) {
    throw failure('auth');
  }
}

function failure(reason) {
  const e = new Error(`SFrame frame not decrypted: ${reason}`);
  e.reason = reason;
  return e;
}
