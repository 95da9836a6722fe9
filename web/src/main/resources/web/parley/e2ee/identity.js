// A device's identity key (ECDH P-256), sender keys wrapped end to end for one recipient, and the
// safety code both ends read aloud. Formats are the wire contract of docs/e2ee.md: the Java client
// produces and reads the same bytes.

const ENC = new TextEncoder();
const DEC = new TextDecoder();
const WRAP_INFO = ENC.encode('parley-e2ee-wrap-v1');

export function toB64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromB64url(text) {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * This device's key pair for one page's life: the private half never leaves WebCrypto
 * (extractable false). `publicKey` is the raw uncompressed point 0x04||X||Y (65 bytes), what
 * the protocol's identityKey carries in base64url.
 */
export class IdentityKey {
  static async generate() {
    const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    return new IdentityKey(pair.privateKey, raw);
  }

  constructor(privateKey, publicRaw) {
    this.privateKey = privateKey;
    this.publicRaw = publicRaw;
    this.wire = toB64url(publicRaw);
  }

  /**
   * The key that wraps sender keys between this device and a peer, one per direction:
   * HKDF-SHA256(ECDH X coordinate, salt 32 zero bytes,
   * info "parley-e2ee-wrap-v1" || senderIdentityKey || recipientIdentityKey) -> AES-256-GCM.
   */
  async wrappingKey(peerRaw, { sending }) {
    const peer = await crypto.subtle.importKey('raw', peerRaw, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
    const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, this.privateKey, 256);
    const ikm = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
    const [from, to] = sending ? [this.publicRaw, peerRaw] : [peerRaw, this.publicRaw];
    const info = new Uint8Array(WRAP_INFO.length + 130);
    info.set(WRAP_INFO);
    info.set(from, WRAP_INFO.length);
    info.set(to, WRAP_INFO.length + 65);
    return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info },
      ikm, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  }

  /**
   * An e2ee.key payload: base64url(iv(12) || AES-256-GCM(JSON {kid, key})), the context id (room
   * or call id) as AAD so a payload cannot be replayed into another room or call.
   */
  async wrap(peerRaw, contextId, { kid, key }) {
    const wk = await this.wrappingKey(peerRaw, { sending: true });
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = ENC.encode(JSON.stringify({ kid, key: toB64url(key) }));
    const ct = new Uint8Array(await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: ENC.encode(contextId), tagLength: 128 }, wk, plain));
    const out = new Uint8Array(12 + ct.length);
    out.set(iv);
    out.set(ct, 12);
    return toB64url(out);
  }

  /** Opens a payload from the peer; rejects when it was not made for this device and context. */
  async unwrap(peerRaw, contextId, payload) {
    const bytes = fromB64url(payload);
    if (bytes.length < 12 + 16) throw new Error('e2ee.key payload too short');
    const wk = await this.wrappingKey(peerRaw, { sending: false });
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, 12), additionalData: ENC.encode(contextId), tagLength: 128 },
      wk, bytes.subarray(12));
    const { kid, key } = JSON.parse(DEC.decode(plain));
    const raw = fromB64url(key);
    if (!Number.isInteger(kid) || kid < 0 || kid > 0xffffffff || raw.length !== 16) {
      throw new Error('e2ee.key payload holds no valid sender key');
    }
    return { kid, key: raw };
  }
}

/**
 * The safety code of a call or room: SHA-256 over everyone's raw identity keys sorted bytewise
 * and concatenated; its first 15 bytes as five groups of three, each group a big-endian uint24
 * mod 100000, zero-padded: "04521 99310 00417 63302 12345".
 */
export async function safetyCode(rawKeys) {
  const sorted = [...rawKeys].sort(compareBytes);
  const all = new Uint8Array(sorted.length * 65);
  sorted.forEach((k, i) => all.set(k, i * 65));
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  const groups = [];
  for (let i = 0; i < 15; i += 3) {
    const v = (h[i] << 16) | (h[i + 1] << 8) | h[i + 2];
    groups.push(String(v % 100000).padStart(5, '0'));
  }
  return groups.join(' ');
}

function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** A new random sender key: 16 bytes and a random 32-bit KID. */
export function newSenderKey() {
  return { kid: crypto.getRandomValues(new Uint32Array(1))[0], key: crypto.getRandomValues(new Uint8Array(16)) };
}
