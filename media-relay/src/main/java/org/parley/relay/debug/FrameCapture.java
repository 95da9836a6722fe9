package org.parley.relay.debug;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.parley.relay.rtp.KeyframeDetector;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.rtp.StreamRewriter;
import org.parley.relay.rtp.Vp8Descriptor;
import org.parley.relay.sdp.RelayCodec;

/**
 * A test hook ({@code parley.relay.debug.capture-frames}): the last N frames the relay forwarded
 * of every stream, as it saw them, so a test can show what a relay operator could read. A frame is
 * the RTP payloads of one timestamp put back together (VP8 payload descriptors removed, so it is
 * the encoded frame: with end-to-end encryption, the clear prefix and the SFrame ciphertext).
 * Off unless configured; it costs the packet path nothing then. When on, every forwarded packet
 * is copied under a lock per stream: for tests and diagnosis, never for production.
 */
public final class FrameCapture {

    /** Where the server serves it (GET; loopback clients only). */
    public static final String PATH = "/api/relay/debug/frames";

    /** One captured frame. */
    public record Frame(long timestamp, boolean keyframe, byte[] data) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int framesPerStream;
    private final Map<Long, Stream> streams = new ConcurrentHashMap<>();

    public FrameCapture(int framesPerStream) {
        if (framesPerStream < 1) {
            throw new IllegalArgumentException("capture at least one frame per stream");
        }
        this.framesPerStream = framesPerStream;
    }

    /** A stream's frames: the one being put together and the last complete ones. */
    private final class Stream {
        final String endpoint;
        final RelayCodec codec;
        final ArrayDeque<Frame> frames = new ArrayDeque<>();
        final ByteArrayOutputStream assembling = new ByteArrayOutputStream();
        long timestamp = -1;
        boolean keyframe;
        /** Sequence number of the packet added last, -1 before the first. */
        int lastSeq = -1;
        /** A packet of the video frame being put together went missing: the frame is not kept. */
        boolean broken;

        Stream(String endpoint, RelayCodec codec) {
            this.endpoint = endpoint;
            this.codec = codec;
        }

        /**
         * Adds a packet in the order the relay forwarded it. A video frame is kept only when its
         * packets came in sequence, from the first to the marker: one with a packet lost on the
         * way to the relay (forwarded later as a repair, or never) would be kept with bytes
         * missing or out of place, which no decoder or decryption takes.
         */
        synchronized void add(byte[] b, int off, int len) {
            long ts = RtpPacket.timestamp(b, off);
            int header = RtpPacket.headerLength(b, off, len);
            int payloadLen = RtpPacket.payloadLength(b, off, len);
            if (payloadLen <= 0) {
                return;
            }
            int seq = RtpPacket.sequence(b, off);
            boolean next = lastSeq < 0 || seq == ((lastSeq + 1) & 0xFFFF);
            if (!next && !StreamRewriter.isNewer(seq, lastSeq)) {
                return; // a repair or a late packet: its frame was dropped as broken
            }
            lastSeq = seq;
            boolean video = codec == RelayCodec.VP8;
            int p = off + header;
            if (ts != timestamp) {
                // a frame still open here never saw its marker: its last packets are missing
                broken = timestamp != -1;
                complete();
                timestamp = ts;
                keyframe = KeyframeDetector.isKeyframeStart(codec, b, p, payloadLen);
                broken = video && !next;
            } else if (!next) {
                broken = true;
            }
            int skip = 0;
            if (video) {
                skip = Math.max(0, Vp8Descriptor.length(b, p, payloadLen));
            }
            assembling.write(b, p + skip, payloadLen - skip);
            // the marker bit ends a video frame (RFC 7741 §4.1); every audio packet is a frame
            if (codec == RelayCodec.OPUS || RtpPacket.marker(b, off)) {
                complete();
                timestamp = -1;
            }
        }

        private void complete() {
            if (assembling.size() > 0 && !broken) {
                frames.addLast(new Frame(timestamp, keyframe, assembling.toByteArray()));
                while (frames.size() > framesPerStream) {
                    frames.removeFirst();
                }
            }
            assembling.reset();
            broken = false;
        }

        synchronized List<Frame> frames() {
            return List.copyOf(frames);
        }
    }

    /** A packet of {@code endpoint}'s stream the relay forwards (SRTP removed, RTX restored). */
    public void forwarded(String endpoint, RelayCodec codec, byte[] b, int off, int len) {
        long ssrc = RtpPacket.ssrc(b, off);
        streams.computeIfAbsent(ssrc, k -> new Stream(endpoint, codec)).add(b, off, len);
    }

    /** The frames kept of the stream with this sender SSRC, oldest first; empty when none. */
    public List<Frame> frames(long ssrc) {
        Stream s = streams.get(ssrc);
        return s == null ? List.of() : s.frames();
    }

    /**
     * {@code {"streams": [{"ssrc", "endpoint", "codec", "frames": [{"timestamp", "keyframe",
     * "data" (base64)}]}]}}, every stream or only {@code ssrc} when it is not null.
     */
    public byte[] json(Long ssrc) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode out = root.putArray("streams");
        List<Long> ssrcs = new ArrayList<>(streams.keySet());
        ssrcs.sort(null);
        for (long s : ssrcs) {
            if (ssrc != null && ssrc != s) {
                continue;
            }
            Stream stream = streams.get(s);
            ObjectNode n = out.addObject();
            n.put("ssrc", s);
            n.put("endpoint", stream.endpoint);
            n.put("codec", stream.codec.name());
            ArrayNode frames = n.putArray("frames");
            for (Frame f : stream.frames()) {
                frames.addObject().put("timestamp", f.timestamp()).put("keyframe", f.keyframe())
                        .put("data", Base64.getEncoder().encodeToString(f.data()));
            }
        }
        return root.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
