// What the room screen shows, told to the relay (protocol.md §6.4 media.constraints), so that it
// spends this device's downlink on what is on screen: a shared screen on the stage gets the most
// (the relay puts screen shares first), camera tiles the layer of the height they are drawn at
// (180 while a screen share takes the stage: they are thumbnails then), and a tile not on screen
// (the `hidden` attribute, not displayed, or scrolled out of view: a room larger than the window)
// gets nothing.

import { $ } from './ui.js';

/** Simulcast layer heights a tile can ask for; a tile gets the first at least as tall as it is drawn. */
const HEIGHTS = [180, 360, 540, 720, 1080, 1440, 2160];
const THUMBNAIL_HEIGHT = 180;

/** Watches the room screen's layout; returns a function to call when it may have changed. */
export function watchLayout(room) {
  let sent = '';
  let timer = null;
  // a tile hidden or shown again, by the app or by a test
  const mo = new MutationObserver(changed);
  mo.observe($('video-grid'), { subtree: true, attributes: true, attributeFilter: ['hidden', 'style', 'class'] });
  // a tile scrolled out of view, or left outside a window made smaller: nobody sees it. The
  // implicit root (the viewport) clips by every scrolling ancestor, so the grid's own scrolling
  // counts too (W3C Intersection Observer, "compute the intersection").
  const outOfView = new WeakSet();
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (e.isIntersecting) outOfView.delete(e.target);
      else outOfView.add(e.target);
    }
    changed();
  });

  function changed() {
    clearTimeout(timer);
    // one request for a burst of layout changes (a participant joining renders several times)
    timer = setTimeout(send, 200);
  }

  function send() {
    if (room.closed) return;
    const stageTaken = !$('screen-stage').hidden;
    const sources = [];
    for (const t of document.querySelectorAll('#video-grid .tile')) {
      const pid = t.dataset.participant;
      if (pid === room.participantId || !room.participants.has(pid)) continue;
      io.observe(t); // once per tile: observing it again changes nothing
      const shown = !t.hidden && t.offsetParent !== null && !outOfView.has(t);
      sources.push(shown
        ? { participantId: pid, kind: 'video', maxHeight: stageTaken ? THUMBNAIL_HEIGHT : heightOf(t) }
        : { participantId: pid, kind: 'video', off: true });
    }
    const constraints = { sources };
    const json = JSON.stringify(constraints);
    if (json === sent) return;
    sent = json;
    // a participant who left meanwhile is refused (unknown_participant): the next change resends
    room.setReceiveConstraints(constraints).catch(() => { sent = ''; });
  }

  window.addEventListener('resize', changed);
  room.on('closed', () => {
    mo.disconnect();
    io.disconnect();
    window.removeEventListener('resize', changed);
  });
  return changed;
}

function heightOf(tile) {
  const drawn = Math.ceil((tile.querySelector('video') || tile).clientHeight * (window.devicePixelRatio || 1));
  return HEIGHTS.find((h) => h >= drawn) || HEIGHTS[HEIGHTS.length - 1];
}
