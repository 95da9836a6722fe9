// Small page helpers shared by the app's screens.

export const $ = (id) => document.getElementById(id);

/** The banner under the header; {@code reason} (a protocol code) is a stable hook for tests. */
export function notice(text, reason) {
  const n = $('notice');
  n.textContent = text;
  n.dataset.reason = reason || '';
  n.hidden = false;
}

export function clearNotice() {
  $('notice').hidden = true;
}

export function attach(video, stream) {
  if (video.srcObject !== stream) video.srcObject = stream || null;
  if (stream) video.play().catch(() => {});
}

/** A toggle button: aria-pressed for screen readers, and a label saying what a press does. */
export function setPressed(id, pressed, onText, offText) {
  const b = $(id);
  b.setAttribute('aria-pressed', String(pressed));
  b.textContent = pressed ? onText : offText;
}
