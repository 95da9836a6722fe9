// Camera and microphone for the app: the pickers, the device the user chose, and a preview of
// the camera before answering a call or joining a room (the stream then goes into the call).

const $ = (id) => document.getElementById(id);

const chosen = { audio: null, video: null };
let preview = null; // {stream, media} while the preview shows

/** getUserMedia with the devices chosen in the pickers; lists the devices again once allowed. */
export async function openLocalStream(media) {
  const audio = chosen.audio ? { deviceId: { exact: chosen.audio } } : true;
  const video = media === 'video' ? (chosen.video ? { deviceId: { exact: chosen.video } } : { width: 640, height: 480 }) : false;
  const stream = await navigator.mediaDevices.getUserMedia({ audio, video });
  listDevices();
  return stream;
}

/**
 * Fills the pickers. Before the page may use a device the browser lists it without id or label:
 * such entries are left out, and a picker with nothing to pick is hidden with its label.
 */
export async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  for (const kind of ['audio', 'video']) {
    const select = $(`${kind}-input`);
    const found = devices.filter((d) => d.kind === `${kind}input` && d.deviceId);
    select.replaceChildren(...found.map((d, i) => {
      const o = document.createElement('option');
      o.value = d.deviceId;
      o.textContent = d.label || `${kind === 'audio' ? 'Microphone' : 'Camera'} ${i + 1}`;
      o.selected = d.deviceId === chosen[kind];
      return o;
    }));
    $(`${kind}-input-label`).hidden = found.length === 0;
  }
}

/** A picker changed: later streams use that device; {@code target} (call or room) switches now. */
export async function switchDevice(kind, deviceId, target) {
  chosen[kind] = deviceId;
  if (preview) {
    await startPreview(preview.media);
    return;
  }
  if (!target || !target.localStream) return;
  const s = await navigator.mediaDevices.getUserMedia({ [kind]: { deviceId: { exact: deviceId } } });
  await target.replaceTrack(s.getTracks()[0]);
}

/** Shows this device's camera (or only opens the microphone for an audio call). */
export async function startPreview(media = 'video') {
  stopPreview();
  const stream = await openLocalStream(media);
  preview = { stream, media };
  const video = $('preview-video');
  video.srcObject = stream;
  video.play().catch(() => {});
  $('preview').hidden = media !== 'video';
  return stream;
}

export function previewing() {
  return !!preview;
}

/**
 * Hands the previewed stream over (to a call or room, which then owns it) and hides the preview;
 * null when there is none or it was opened for other media.
 */
export function takePreview(media = 'video') {
  if (!preview || preview.media !== media) {
    stopPreview();
    return null;
  }
  const { stream } = preview;
  preview = null;
  $('preview-video').srcObject = null;
  $('preview').hidden = true;
  return stream;
}

export function stopPreview() {
  if (preview) preview.stream.getTracks().forEach((t) => t.stop());
  preview = null;
  $('preview-video').srcObject = null;
  $('preview').hidden = true;
}
