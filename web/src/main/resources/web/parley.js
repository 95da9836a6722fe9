// Parley client library: the signaling protocol (docs/protocol.md, version 1) for browsers.
// Plain ES module, no build step: import { ParleyClient } from '/parley.js'.

import { Emitter, ParleyError } from './parley/emitter.js';
import { Call } from './parley/call.js';
import { Room } from './parley/room.js';
import { IdentityKey } from './parley/e2ee/identity.js';
import { canEncrypt } from './parley/e2ee/session.js';

export { Call, Room, ParleyError, canEncrypt };
export { mediaStats, quality } from './parley/stats.js';
export { loopbackOnly } from './parley/ice.js';

export const PROTOCOL_VERSION = 1;

/** Close codes after which reconnecting with the same token or version is pointless (§10). */
const FINAL_CLOSE = new Set([1000, 4001, 4002, 4004, 4009]);

/**
 * One device's session with a Parley server.
 *
 * Client events (subscribe with on(type, fn)):
 * - state: "connecting" | "open" | "reconnecting" | "closed"
 * - welcome: the welcome reply (also after each resume)
 * - resumed {missed}: the session came back after a drop; calls and rooms are unchanged
 * - sessionlost {ended}: a reconnect started a fresh session; the old calls and rooms ended, each
 *   with the reason the server gave in welcome.ended (server_restarted after a crash)
 * - incoming {call}: a call rings this device (call.incoming)
 * - handoff {call}: a call was pushed to this device (call.handoff)
 * - invitation {roomId, from, media}: invited to a room by call.add
 * - closed {code, reason}: the connection ended for good
 * - event: every event, raw, after the objects it concerns have seen it
 */
export class ParleyClient extends Emitter {
  /**
   * @param {object} o
   * @param {string|string[]} [o.url] WebSocket URL, or the URLs of several nodes of a cluster
   *   (docs/cluster.md): it connects to the first that answers and, when its node goes away,
   *   reconnects to the next (a session resumes at any node); default ws(s)://<this host>/ws
   * @param {string|(() => Promise<string>)} o.token access token, or a function fetching a fresh one
   * @param {string} o.device this device's stable id
   * @param {RTCIceTransportPolicy} [o.iceTransportPolicy] "all" (default) or "relay" (TURN only)
   * @param {(media: string) => Promise<MediaStream>} [o.getLocalStream] camera/microphone source
   * @param {(candidate: string) => boolean} [o.candidateFilter] which local ICE candidates to announce
   * @param {boolean} [o.simulcast] in rooms, send the camera as three simulcast layers (default
   *   true) so the relay can give each receiver the one that fits (docs/relay.md, Simulcast)
   * @param {string} [o.videoCodec] in rooms, the camera codec to offer first ("H264", "VP8"); by
   *   default the browser's own order (VP8 first in Chromium)
   */
  constructor({ url, token, device, iceTransportPolicy = 'all', getLocalStream, candidateFilter,
    simulcast = true, videoCodec = null } = {}) {
    super();
    if (!device) throw new Error('device id required');
    this.urls = [].concat(url || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    if (this.urls.length === 0 || this.urls.some((u) => typeof u !== 'string' || !u)) {
      throw new Error('url: a WebSocket URL or a non-empty array of them');
    }
    this.urlIndex = 0;
    this.tokenSource = token;
    this.device = device;
    this.iceTransportPolicy = iceTransportPolicy;
    this.localStreamSource = getLocalStream;
    this.candidateFilter = candidateFilter || null;
    this.simulcast = simulcast;
    this.videoCodec = videoCodec;
    this.ws = null;
    this.state = 'closed';
    this.welcome = null;
    this.resumeToken = null;
    this.lastSeq = 0;
    this.ackedSeq = 0;
    this.ackTimer = null;
    this.pingTimer = null;
    this.lastSentAt = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.calls = new Map();
    this.rooms = new Map();
    this.closedForGood = false;
    this.reconnectAttempt = 0;
    this.identityPromise = null;
  }

  /**
   * This device's E2EE identity key (ECDH P-256), made once per page: a reload makes a new one,
   * so the safety code changes with it (docs/e2ee.md, limits).
   */
  identityKey() {
    if (!this.identityPromise) this.identityPromise = IdentityKey.generate();
    return this.identityPromise;
  }

  /** Refuses E2EE up front in a browser without encoded transforms, as the server would. */
  requireEncryption() {
    if (!canEncrypt()) {
      throw new ParleyError('e2ee_unsupported', 'this browser cannot encrypt media end to end (no WebRTC Encoded Transform)');
    }
  }

  get connected() {
    return this.state === 'open';
  }

  /** The URL of the node this client is connected or connecting to. */
  get url() {
    return this.urls[this.urlIndex];
  }

  get user() {
    return this.welcome ? this.welcome.user : null;
  }

  async token() {
    return typeof this.tokenSource === 'function' ? this.tokenSource() : this.tokenSource;
  }

  /** Opens the connection and says hello; resolves with the welcome reply. */
  async connect() {
    this.closedForGood = false;
    this.setState('connecting');
    return this.open(false, this.urls.length - 1);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  /**
   * One connection and its hello. A node that does not answer (the socket never opens) passes the
   * attempt to the next URL, up to `spare` more, before anyone hears of a close.
   */
  open(resume, spare = 0) {
    return new Promise((resolve, reject) => {
      let settled = false;
      let opened = false;
      let passed = false;
      const ws = new WebSocket(this.url);
      this.ws = ws;
      const next = () => {
        if (passed) return;
        passed = true;
        settled = true;
        this.urlIndex = (this.urlIndex + 1) % this.urls.length;
        this.open(resume, spare - 1).then(resolve, reject);
      };
      ws.onopen = async () => {
        opened = true;
        const hello = { token: await this.token(), device: this.device, protocol: PROTOCOL_VERSION };
        // The identity key goes with hello so that an encrypted call can be pushed here (§5.5).
        if (canEncrypt()) hello.e2ee = { identityKey: (await this.identityKey()).wire };
        if (resume && this.resumeToken) {
          hello.resumeToken = this.resumeToken;
          hello.lastSeq = this.lastSeq;
          // If the server refuses the resume (it ended the session, or restarted and forgot it),
          // its welcome says which of these ended and why (§4).
          hello.calls = [...this.calls.keys()];
          hello.rooms = [...this.rooms.keys()];
        }
        this.request('hello', hello, { beforeOpen: true }).then((w) => {
          settled = true;
          this.onWelcome(w, resume);
          resolve(w);
        }, (e) => { settled = true; reject(e); });
      };
      const failed = (why) => {
        if (!settled) { settled = true; reject(new ParleyError('connection_closed', why)); }
      };
      ws.onmessage = (e) => this.onFrame(e.data);
      // A refused connection: browsers fire error then close, some runtimes only error.
      ws.onerror = () => (!opened && spare > 0 ? next() : failed('connection failed'));
      ws.onclose = (e) => {
        if (this.ws !== ws) return;
        if (!opened && spare > 0) {
          next();
          return;
        }
        this.onClose(e.code, e.reason);
        failed(`closed ${e.code} ${e.reason}`);
      };
    });
  }

  onWelcome(w, resume) {
    const fresh = !w.resumed;
    this.welcome = w;
    this.resumeToken = w.resumeToken;
    this.reconnectAttempt = 0;
    if (fresh) {
      // A new session: the server will number events from 1 again.
      this.lastSeq = 0;
      this.ackedSeq = 0;
    }
    this.setState('open');
    this.startPing(w.pingIntervalMs || 20000);
    this.emit('welcome', w);
    if (resume && fresh) {
      // welcome.ended: [{callId | roomId, reason}], e.g. reason "server_restarted" after a crash.
      const ended = w.ended || [];
      const why = (key, id) => (ended.find((e) => e[key] === id) || {}).reason || 'connection_lost';
      for (const call of [...this.calls.values()]) {
        const reason = why('callId', call.id);
        // connection_lost: this device's own connection ended it; server_restarted: the server did
        call.end(reason, undefined, reason === 'connection_lost');
      }
      for (const room of [...this.rooms.values()]) room.close(why('roomId', room.id));
      this.emit('sessionlost', { ended });
    } else if (resume) {
      for (const call of this.calls.values()) call.resumed();
      for (const room of this.rooms.values()) room.resumed();
      this.emit('resumed', {});
    }
  }

  startPing(intervalMs) {
    clearInterval(this.pingTimer);
    // The server closes after 2 x pingIntervalMs of silence (§3.2): speak at least every half.
    this.pingTimer = setInterval(() => {
      if (this.connected && Date.now() - this.lastSentAt > intervalMs / 2) {
        this.request('ping').catch(() => {});
      }
    }, Math.max(1000, intervalMs / 4));
  }

  /**
   * Sends a request and resolves with its result (or rejects with a ParleyError). Requests made
   * while reconnecting wait for the connection to come back.
   */
  async request(type, fields = {}, { timeoutMs = 15000, beforeOpen = false } = {}) {
    if (!beforeOpen && this.state !== 'open') await this.waitOpen(timeoutMs);
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ParleyError('timeout', `${type} got no reply within ${timeoutMs} ms`, id));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, type });
      this.send({ type, id, ...fields });
    });
  }

  waitOpen(timeoutMs) {
    if (this.state === 'open') return Promise.resolve();
    if (this.closedForGood) return Promise.reject(new ParleyError('closed', 'the session has ended'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { off(); reject(new ParleyError('timeout', 'not connected')); }, timeoutMs);
      const off = this.on('state', (s) => {
        if (s === 'open') { clearTimeout(timer); off(); resolve(); }
        if (s === 'closed') { clearTimeout(timer); off(); reject(new ParleyError('closed', 'the session has ended')); }
      });
    });
  }

  send(obj) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(obj));
    this.lastSentAt = Date.now();
    return true;
  }

  onFrame(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (msg.id !== undefined && (msg.type === 'result' || msg.type === 'welcome' || msg.type === 'error')) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.type === 'error') p.reject(new ParleyError(msg.code, msg.message, msg.id));
      else p.resolve(msg);
      return;
    }
    if (msg.type === 'error') {
      this.emit('servererror', msg);
      return;
    }
    if (typeof msg.seq === 'number') {
      // Exactly once, in order (§2, §4): a replayed event we already handled is dropped.
      if (msg.seq <= this.lastSeq) return;
      this.lastSeq = msg.seq;
      this.scheduleAck();
    }
    this.dispatch(msg);
  }

  scheduleAck() {
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      if (this.lastSeq > this.ackedSeq && this.send({ type: 'ack', seq: this.lastSeq })) this.ackedSeq = this.lastSeq;
    }, 200);
  }

  dispatch(msg) {
    const t = msg.type;
    if (t === 'call.incoming') {
      if (!this.calls.has(msg.callId)) {
        const call = new Call(this, {
          callId: msg.callId, direction: 'incoming', peer: msg.from, media: msg.media,
          transport: msg.transport, state: 'incoming', waiting: msg.waiting,
          e2ee: msg.e2ee === true, peerIdentityKey: msg.identityKey || (msg.from && msg.from.identityKey) || null,
        });
        this.calls.set(call.id, call);
        this.emit('incoming', { call });
      }
    } else if (t === 'call.handoff') {
      const call = this.handedOver(msg);
      this.emit('handoff', { call });
      call.takeOver().catch((e) => call.emit('error', e));
    } else if (t === 'room.invitation') {
      this.emit('invitation', { roomId: msg.roomId, from: msg.from, media: msg.media });
    } else if (t === 'session.token_expiring') {
      if (typeof this.tokenSource === 'function') this.refresh().catch((e) => this.emit('error', e));
      this.emit('tokenexpiring', { expiresAt: msg.expiresAt });
    } else if (msg.callId && this.calls.has(msg.callId)) {
      this.calls.get(msg.callId).handle(msg);
    } else if (msg.roomId && this.rooms.has(msg.roomId)) {
      this.rooms.get(msg.roomId).handle(msg);
    } else if (t === 'call.ended') {
      // A call this object never tracked (e.g. it rang before a reload): still worth showing.
      this.emit('callended', { callId: msg.callId, reason: msg.reason });
    }
    this.emit('event', msg);
  }

  onClose(code, reason) {
    clearInterval(this.pingTimer);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ParleyError('disconnected', `connection closed (${code}) before the reply`, id));
    }
    this.pending.clear();
    if (this.closedForGood || FINAL_CLOSE.has(code) || !this.resumeToken) {
      this.finish(code, reason);
      return;
    }
    // A failed attempt of the running reconnect loop: that loop tries again. A second loop would
    // double the attempts on every failure while the server restarts, and two hellos with one
    // resume token would replace each other's session (4004).
    if (this.state === 'reconnecting') return;
    this.setState('reconnecting');
    this.reconnect();
  }

  /** Retries with growing pauses until the server's resume grace period is over (§4). */
  reconnect() {
    const graceMs = (this.welcome && this.welcome.resumeGraceMs) || 30000;
    const startedAt = Date.now();
    const attempt = () => {
      if (this.closedForGood) return;
      if (Date.now() - startedAt > graceMs) {
        this.finish(1006, 'resume grace period over');
        return;
      }
      const wait = (this.offlineUntil || 0) - Date.now();
      if (wait > 0) {
        setTimeout(attempt, wait);
        return;
      }
      // Every node once per attempt: after its node died a client resumes at another (docs/cluster.md).
      this.open(true, this.urls.length - 1).catch(() => {
        if (this.state === 'reconnecting') {
          this.reconnectAttempt++;
          setTimeout(attempt, Math.min(2000, 100 * 2 ** this.reconnectAttempt));
        }
      });
    };
    setTimeout(attempt, 100);
  }

  finish(code, reason) {
    this.closedForGood = true;
    this.setState('closed');
    for (const call of [...this.calls.values()]) call.end('connection_lost', undefined, true);
    for (const room of [...this.rooms.values()]) room.close('connection_lost');
    this.emit('closed', { code, reason });
  }

  /** Ends the session for good (bye): calls end with hangup, no resume. */
  async close() {
    try {
      await this.request('bye', {}, { timeoutMs: 3000 });
    } catch (e) {
      // closing anyway
    }
    this.closedForGood = true;
    if (this.ws) this.ws.close(1000);
  }

  /**
   * Drops the WebSocket without bye, as a lost network would: the session waits for resume and
   * this client reconnects by itself, not before offlineMs. For tests and diagnostics.
   */
  dropConnection({ offlineMs = 0 } = {}) {
    this.offlineUntil = Date.now() + offlineMs;
    if (this.ws) this.ws.close(4000, 'client dropped');
  }

  /** New token for the same user without reconnecting; fresh TURN credentials come with it. */
  async refresh(token) {
    const t = token || await this.token();
    if (token) this.tokenSource = token;
    const r = await this.request('refresh', { token: t });
    if (this.welcome && r.iceServers) this.welcome.iceServers = r.iceServers;
    return r;
  }

  /** RTCPeerConnection configuration: the welcome's iceServers as they are (§3.1). */
  rtcConfig() {
    return { iceServers: (this.welcome && this.welcome.iceServers) || [], iceTransportPolicy: this.iceTransportPolicy };
  }

  getLocalStream(media) {
    if (this.localStreamSource) return this.localStreamSource(media);
    return navigator.mediaDevices.getUserMedia({ audio: true, video: media === 'video' });
  }

  /**
   * Calls a user: rings every online device of theirs. Resolves once the server took the call.
   * e2ee: true makes it a secret call: media end-to-end encrypted (docs/e2ee.md).
   */
  async call(user, { media = 'video', stream, e2ee } = {}) {
    const fields = { to: user, media };
    if (e2ee) {
      this.requireEncryption();
      fields.e2ee = { identityKey: (await this.identityKey()).wire };
    }
    const local = stream || await this.getLocalStream(media);
    let r;
    try {
      r = await this.request('call.invite', fields);
    } catch (err) {
      // The operator requires encrypted calls: left unsaid, this browser encrypts if it can.
      if (err.code === 'e2ee_required' && e2ee === undefined && canEncrypt()) {
        const call = await this.call(user, { media, stream: local, e2ee: true });
        call.ownsLocalStream = !stream;
        return call;
      }
      if (!stream) local.getTracks().forEach((t) => t.stop());
      throw err;
    }
    let call = this.calls.get(r.callId);
    if (!call) {
      call = new Call(this, {
        callId: r.callId, direction: 'outgoing', peer: { user }, media, transport: r.transport, state: 'calling', e2ee: !!e2ee,
      });
      this.calls.set(call.id, call);
    }
    call.localStream = local;
    call.ownsLocalStream = !stream;
    if (r.glare) {
      // Both called each other: our invite became the accept of theirs (§5.7).
      call.direction = 'incoming';
      call.e2eeCall = call.e2eeCall || r.e2ee === true;
      call.peerIdentityKey = r.identityKey || call.peerIdentityKey;
      call.setState('connecting');
      await call.openE2ee();
      call.startMedia({ offerer: false, polite: true });
    }
    return call;
  }

  /** Pulls a live call of this user from another of its devices to this one (§5.5). */
  async pullCall(callId, { stream } = {}) {
    const fields = { callId };
    if (canEncrypt()) fields.e2ee = { identityKey: (await this.identityKey()).wire };
    const r = await this.request('call.pull', fields);
    const call = this.handedOver(r);
    await call.takeOver({ stream });
    return call;
  }

  /** A call that moved to this device: call.handoff event or call.pull reply (§5.5). */
  handedOver(msg) {
    const call = new Call(this, {
      callId: msg.callId, direction: 'handoff', peer: msg.peer, media: msg.media,
      transport: msg.transport, state: msg.state === 'connecting' ? 'connecting' : 'active',
      e2ee: msg.e2ee === true || !!(msg.identityKey || (msg.peer && msg.peer.identityKey)),
      peerIdentityKey: msg.identityKey || (msg.peer && msg.peer.identityKey) || null,
    });
    // The flags are the other party's media state.
    for (const k of ['audio', 'video', 'screen']) if (typeof msg[k] === 'boolean') call.remote[k] = msg[k];
    this.calls.set(call.id, call);
    return call;
  }

  async createRoom(options = {}) {
    const r = await this.request('room.create', options);
    return r.roomId;
  }

  /**
   * Joins a room; publishes camera and microphone unless this participant may not.
   * e2ee: true joins with this device's identity key and encrypts end to end; left out, a room
   * that requires it (error e2ee_required) is joined again with encryption when this browser can.
   */
  async joinRoom(roomId, { invite, publish = true, stream, e2ee } = {}) {
    const fields = { roomId };
    if (invite) fields.invite = invite;
    if (e2ee) {
      this.requireEncryption();
      fields.e2ee = { identityKey: (await this.identityKey()).wire };
    }
    let r;
    try {
      r = await this.request('room.join', fields);
    } catch (err) {
      if (err.code === 'e2ee_required' && e2ee === undefined && canEncrypt()) {
        return this.joinRoom(roomId, { invite, publish, stream, e2ee: true });
      }
      throw err;
    }
    const room = new Room(this, r, { identity: fields.e2ee ? await this.identityKey() : null });
    this.rooms.set(room.id, room);
    await room.startE2ee();
    if (publish && room.canPublish) {
      await room.publish(stream);
    }
    return room;
  }

  forgetCall(call) {
    if (this.calls.get(call.id) === call) this.calls.delete(call.id);
  }

  forgetRoom(room) {
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
  }
}
