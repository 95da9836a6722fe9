package org.parley.relay.client;

/** One RTP packet a test client received, decrypted. */
public record ReceivedPacket(long ssrc, int sequence, long timestamp, int payloadType, byte[] payload,
        long receivedNanos) {
}
