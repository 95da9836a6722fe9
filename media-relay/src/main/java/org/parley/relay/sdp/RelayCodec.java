package org.parley.relay.sdp;

import java.util.Locale;

/**
 * The codecs the relay forwards, with the payload types it uses in its own (subscriber) offers.
 * Forwarding is codec-agnostic: only the payload type is rewritten from the publisher's number to
 * the receiver's.
 */
public enum RelayCodec {
    OPUS("audio", "opus", 48000, "/2", 111, -1, "minptime=10;useinbandfec=1"),
    VP8("video", "VP8", 90000, "", 96, 97, ""),
    VP9("video", "VP9", 90000, "", 98, 99, "profile-id=0"),
    H264("video", "H264", 90000, "", 102, 103,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"),
    AV1("video", "AV1", 90000, "", 45, 46, "");

    private final String kind;
    private final String encoding;
    private final int clockRate;
    private final String channels;
    private final int payloadType;
    private final int rtxPayloadType;
    private final String fmtp;

    RelayCodec(String kind, String encoding, int clockRate, String channels, int payloadType, int rtxPayloadType,
            String fmtp) {
        this.kind = kind;
        this.encoding = encoding;
        this.clockRate = clockRate;
        this.channels = channels;
        this.payloadType = payloadType;
        this.rtxPayloadType = rtxPayloadType;
        this.fmtp = fmtp;
    }

    public String kind() {
        return kind;
    }

    public int clockRate() {
        return clockRate;
    }

    /** The payload type in the relay's offers. */
    public int payloadType() {
        return payloadType;
    }

    /** The RTX payload type in the relay's offers (RFC 4588), -1 when none. */
    public int rtxPayloadType() {
        return rtxPayloadType;
    }

    public String rtpmap() {
        return encoding + "/" + clockRate + channels;
    }

    public String fmtp() {
        return fmtp;
    }

    /**
     * The relay codec an offered payload type stands for, or null. H.264 is accepted only as
     * constrained baseline with packetization-mode 1 (RFC 6184), the one every browser decodes;
     * VP9 and AV1 only in profile 0.
     */
    public static RelayCodec match(String kind, String rtpmap, String fmtp) {
        if (rtpmap == null) {
            return null;
        }
        String[] parts = rtpmap.split("/");
        if (parts.length < 2) {
            return null;
        }
        String name = parts[0].toUpperCase(Locale.ROOT);
        String params = fmtp == null ? "" : fmtp.replace(" ", "");
        for (RelayCodec c : values()) {
            if (!c.kind.equals(kind) || !c.encoding.toUpperCase(Locale.ROOT).equals(name)
                    || !parts[1].equals(Integer.toString(c.clockRate))) {
                continue;
            }
            switch (c) {
                case H264 -> {
                    if (!params.contains("packetization-mode=1")
                            || !params.toLowerCase(Locale.ROOT).contains("profile-level-id=42e01f")) {
                        return null;
                    }
                }
                case VP9 -> {
                    if (params.contains("profile-id=") && !params.contains("profile-id=0")) {
                        return null;
                    }
                }
                case AV1 -> {
                    if (params.contains("profile=") && !params.contains("profile=0")) {
                        return null;
                    }
                }
                default -> {
                }
            }
            return c;
        }
        return null;
    }

    public static RelayCodec byPayloadType(int pt) {
        for (RelayCodec c : values()) {
            if (c.payloadType == pt) {
                return c;
            }
        }
        return null;
    }
}
