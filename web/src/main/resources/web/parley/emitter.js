// A tiny typed-event base: EventTarget with on()/emit() so callers never unwrap CustomEvent.detail.

export class Emitter extends EventTarget {
  /** Calls fn(detail) for every `type` event; returns a function that unsubscribes. */
  on(type, fn) {
    const listener = (e) => fn(e.detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  /** Resolves with the detail of the next `type` event. */
  once(type) {
    return new Promise((resolve) => {
      const off = this.on(type, (detail) => { off(); resolve(detail); });
    });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/** An error reply from the server (protocol.md §9) or a local failure with the same shape. */
export class ParleyError extends Error {
  constructor(code, message, id) {
    super(`${code}: ${message || code}`);
    this.name = 'ParleyError';
    this.code = code;
    this.id = id;
  }
}
