package org.parley.relay.sdp;

/**
 * The RTP header extensions the relay understands (RFC 8285), with the ids it uses in its own
 * offers. One id per URI across all bundled sections, as RFC 8285 section 6 requires.
 */
public enum HeaderExtension {
    /** RFC 6464 client-to-mixer audio level: feeds active-speaker detection. */
    AUDIO_LEVEL("urn:ietf:params:rtp-hdrext:ssrc-audio-level", 1, true, false),
    /**
     * Transport-wide sequence numbers for TWCC feedback (draft-holmer-rmcat-transport-wide-cc):
     * on publisher connections the relay answers them; on subscriber connections it writes its own
     * per connection into everything it sends (the publisher's value is overwritten).
     */
    TRANSPORT_CC("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", 3, true, true),
    /** Sender's send time; forwarded so Chromium receivers can estimate bandwidth and send REMB. */
    ABS_SEND_TIME("http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", 2, true, true),
    VIDEO_ORIENTATION("urn:3gpp:video-orientation", 4, false, true),
    /** RFC 8843 section 15: binds an SSRC to its m-section when no a=ssrc line names it. */
    MID("urn:ietf:params:rtp-hdrext:sdes:mid", 9, true, true),
    /** RFC 8852: names a simulcast layer. */
    RID("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", 10, false, true),
    REPAIRED_RID("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", 11, false, true);

    private final String uri;
    private final int relayId;
    private final boolean audio;
    private final boolean video;

    HeaderExtension(String uri, int relayId, boolean audio, boolean video) {
        this.uri = uri;
        this.relayId = relayId;
        this.audio = audio;
        this.video = video;
    }

    public String uri() {
        return uri;
    }

    public int relayId() {
        return relayId;
    }

    public boolean appliesTo(String kind) {
        return "audio".equals(kind) ? audio : video;
    }

    /** Extensions the relay puts in packets it sends to receivers. */
    public boolean forwarded() {
        return this == AUDIO_LEVEL || this == ABS_SEND_TIME || this == VIDEO_ORIENTATION || this == TRANSPORT_CC;
    }

    public static HeaderExtension byUri(String uri) {
        for (HeaderExtension e : values()) {
            if (e.uri.equals(uri)) {
                return e;
            }
        }
        return null;
    }
}
