// What a call and a room share about the media this device sends: microphone and camera on/off
// and a screen share. A subclass keeps `local`, `localStream` and `localScreen`, names the media
// transport that carries the screen share (mediaTransport) and tells the others (announce).

import { Emitter } from './emitter.js';

export class LocalMediaOwner extends Emitter {
  /** Microphone on/off: the track stops sending sound; the others see the flag. */
  setAudio(on) {
    this.local.audio = on;
    if (this.localStream) this.localStream.getAudioTracks().forEach((t) => { t.enabled = on; });
    return this.announce();
  }

  setVideo(on) {
    this.local.video = on;
    if (this.localStream) this.localStream.getVideoTracks().forEach((t) => { t.enabled = on; });
    return this.announce();
  }

  /** Shares a screen: getDisplayMedia() unless a stream is given. */
  async startScreenShare(stream) {
    const s = stream || await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = s.getVideoTracks()[0];
    track.addEventListener('ended', () => { if (this.local.screen) this.stopScreenShare(); });
    this.localScreen = s;
    await this.mediaTransport().startScreen(track, s);
    this.local.screen = true;
    return this.announce();
  }

  async stopScreenShare() {
    if (this.localScreen) this.localScreen.getTracks().forEach((t) => t.stop());
    this.localScreen = null;
    const transport = this.mediaTransport();
    if (transport) await transport.stopScreen();
    this.local.screen = false;
    return this.announce();
  }
}
