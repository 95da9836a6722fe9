package org.parley.relay.client;

import org.parley.relay.rtp.Vp8Descriptor;

/** One RTP packet a test client received, decrypted (SRTP). */
public record ReceivedPacket(long ssrc, int sequence, long timestamp, int payloadType, byte[] payload,
        long receivedNanos) {

    /** Audio (Opus) or video (VP8), by payload type; null for anything else (RTX). */
    public MediaKind kind() {
        return payloadType == ClientSdp.OPUS_PT ? MediaKind.AUDIO : payloadType == ClientSdp.VP8_PT ? MediaKind.VIDEO : null;
    }

    /**
     * The encoded frame this packet carries (the test clients send a frame per packet): an Opus
     * packet whole, a VP8 frame without its payload descriptor (anything else whole). Still end-to-end encrypted when
     * the sender encrypted it.
     */
    public byte[] frame() {
        if (kind() != MediaKind.VIDEO) {
            return payload;
        }
        int d = Math.max(0, Vp8Descriptor.length(payload, 0, payload.length));
        return java.util.Arrays.copyOfRange(payload, d, payload.length);
    }
}
