package org.parley.relay.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Packets in, packets out: a VP8 stream with three temporal layers (L1T3, as Chromium sends each
 * simulcast layer) through {@link TemporalLayerFilter} and {@link StreamRewriter} the way the
 * relay forwards it to one receiver.
 */
class TemporalLayerFilterTest {

    private static final int HEADER = 12;
    /** L1T3: the temporal layer of frame n. */
    private static final int[] PATTERN = {0, 2, 1, 2};

    /** One receiver's forwarding: filter, then rewriter; what came out, in order. */
    private static final class Receiver {
        final TemporalLayerFilter filter = new TemporalLayerFilter();
        final StreamRewriter rewriter = new StreamRewriter(42, 90000);
        final List<byte[]> out = new ArrayList<>();
        int paddings;

        void offer(byte[] in, boolean keyframe) {
            byte[] b = in.clone();
            if (!filter.admit(b, HEADER, b.length - HEADER, keyframe)) {
                int slot = rewriter.skip(b, 0);
                if (slot >= 0) {
                    byte[] pad = new byte[HEADER + 1];
                    System.arraycopy(b, 0, pad, 0, HEADER);
                    pad[0] |= 0x20;
                    RtpPacket.setSequence(pad, 0, slot);
                    pad[HEADER] = 1;
                    out.add(pad);
                    paddings++;
                }
                return;
            }
            if (rewriter.rewrite(b, 0, 0)) {
                filter.rewrite(b, HEADER, b.length - HEADER, RtpPacket.sequence(b, 0));
                out.add(b);
            }
        }
    }

    /** The sender: frames of {@code packets} packets each, PictureID, TL0PICIDX and TID as libwebrtc writes them. */
    private static final class Sender {
        int seq = 65530;
        int pictureId = 32760; // wraps at 15 bits within the test
        int tl0PicIdx = 250;
        int frame;

        List<byte[]> nextFrame(int packets, boolean keyframe) {
            int tid = keyframe ? 0 : PATTERN[frame % PATTERN.length];
            if (tid == 0 && frame > 0) {
                tl0PicIdx = (tl0PicIdx + 1) & 0xff;
            }
            // Y: the first frame of TL1 / TL2 after a TL0 refers to that TL0 only (RFC 7741 section 4.2)
            boolean sync = frame % PATTERN.length == 1 || frame % PATTERN.length == 2;
            List<byte[]> frameOut = new ArrayList<>();
            for (int k = 0; k < packets; k++) {
                byte[] b = new byte[HEADER + 6 + 4];
                b[0] = (byte) 0x80;
                b[1] = 96;
                RtpPacket.setSequence(b, 0, seq);
                seq = (seq + 1) & 0xFFFF;
                RtpPacket.setTimestamp(b, 0, 3000L * frame);
                RtpPacket.setSsrc(b, 0, 7);
                b[HEADER] = (byte) (0x80 | (k == 0 ? 0x10 : 0)); // X, S on the first packet
                b[HEADER + 1] = (byte) 0xE0; // I, L, T
                b[HEADER + 2] = (byte) (0x80 | (pictureId >> 8));
                b[HEADER + 3] = (byte) pictureId;
                b[HEADER + 4] = (byte) tl0PicIdx;
                b[HEADER + 5] = (byte) ((tid << 6) | (sync ? 0x20 : 0));
                b[HEADER + 6] = (byte) (keyframe && k == 0 ? 0x00 : 0x01);
                b[HEADER + 7] = (byte) frame;
                frameOut.add(b);
            }
            pictureId = (pictureId + 1) & 0x7FFF;
            frame++;
            return frameOut;
        }
    }

    private static int pictureId(byte[] b) {
        return Vp8Descriptor.pictureId(b, Vp8Descriptor.pictureIdAt(b, HEADER, b.length - HEADER));
    }

    private static int tid(byte[] b) {
        return Vp8Descriptor.temporalLayer(b, HEADER, b.length - HEADER);
    }

    /** Sequence numbers without gap; each frame's PictureID one more than the previous frame's. */
    private static void assertContinuous(List<byte[]> out) {
        for (int i = 1; i < out.size(); i++) {
            assertEquals((RtpPacket.sequence(out.get(i - 1), 0) + 1) & 0xFFFF, RtpPacket.sequence(out.get(i), 0),
                    "no gap at packet " + i);
            byte[] a = out.get(i - 1);
            byte[] b = out.get(i);
            if (Vp8Descriptor.startsFrame(b, HEADER)) {
                assertEquals((pictureId(a) + 1) & 0x7FFF, pictureId(b), "consecutive pictures at packet " + i);
            } else {
                assertEquals(pictureId(a), pictureId(b), "one PictureID per frame");
            }
        }
    }

    @Test
    void aKeyframeOfAnotherSimulcastLayerStartsAfreshWhateverItsPictureId() {
        Receiver r = new Receiver();
        Sender low = new Sender();
        for (int f = 0; f < 8; f++) {
            low.nextFrame(1, f == 0).forEach(p -> r.offer(p, Vp8Descriptor.startsFrame(p, HEADER) && low.frame == 1));
        }
        // the relay switches this receiver to a layer whose encoder numbers pictures half the
        // 15-bit space away ("older" than the last one forwarded), at that layer's keyframe
        Sender high = new Sender();
        high.pictureId = (low.pictureId + 0x4000 + 100) & 0x7FFF;
        high.seq = low.seq;
        r.filter.setTarget(1);
        int before = r.out.size();
        for (int f = 0; f < 8; f++) {
            high.nextFrame(1, f == 0).forEach(p -> r.offer(p, Vp8Descriptor.startsFrame(p, HEADER) && high.frame == 1));
        }
        List<byte[]> after = r.out.subList(before, r.out.size());
        assertTrue(after.stream().filter(b -> b.length > HEADER + 1).noneMatch(b -> tid(b) == 2),
                "no TL2 frame of the new layer is forwarded at target 1");
        assertEquals(4, after.stream().filter(b -> b.length > HEADER + 1).count(), "its TL0 and TL1 frames are");
    }

    @Test
    void halfTheFrameRateKeepsLayersZeroAndOneWithNoGapInSequenceOrPictureIds() {
        Sender s = new Sender();
        Receiver r = new Receiver();
        r.filter.setTarget(1);
        int sentFrames = 40;
        for (int f = 0; f < sentFrames; f++) {
            for (byte[] p : s.nextFrame(3, f == 0)) {
                r.offer(p, f == 0 && Vp8Descriptor.startsFrame(p, HEADER));
            }
        }
        assertEquals(sentFrames / 2 * 3, r.out.size(), "TL0 and TL1: half the frames, every packet of them");
        for (byte[] b : r.out) {
            assertTrue(tid(b) <= 1, "no TL2 packet");
        }
        assertContinuous(r.out);
        // TL0PICIDX untouched: TL0 frames are never dropped, so it still counts them one by one
        int lastTl0 = -1;
        for (byte[] b : r.out) {
            if (tid(b) == 0 && Vp8Descriptor.startsFrame(b, HEADER)) {
                int idx = b[HEADER + 4] & 0xff;
                assertTrue(lastTl0 < 0 || idx == ((lastTl0 + 1) & 0xff), "TL0PICIDX steps by one");
                lastTl0 = idx;
            }
        }
    }

    @Test
    void quarterRateIsTl0AloneAndStepsUpOnlyAtASyncFrameOrKeyframe() {
        Sender s = new Sender();
        Receiver r = new Receiver();
        r.filter.setTarget(0);
        for (int f = 0; f < 8; f++) {
            s.nextFrame(1, f == 0).forEach(p -> r.offer(p, Vp8Descriptor.startsFrame(p, HEADER) && s.frame == 1));
        }
        assertEquals(2, r.out.size(), "frames 0 and 4 (TL0) of 8");

        // asked for everything just before a TL0 frame: TL1 comes at its sync frame, then TL2 at its own
        r.filter.setTarget(TemporalLayerFilter.ALL);
        List<Integer> tids = new ArrayList<>();
        for (int f = 0; f < 4; f++) {
            for (byte[] p : s.nextFrame(1, false)) {
                int before = r.out.size();
                r.offer(p, false);
                if (r.out.size() > before) {
                    tids.add(tid(p));
                }
            }
        }
        // frame 8 TL0, 9 TL2 (Y, but TL1 not yet synced: dropped), 10 TL1 (Y: up), 11 TL2 (no Y: dropped)
        assertEquals(List.of(0, 1), tids);
        for (int f = 0; f < 4; f++) {
            s.nextFrame(1, false).forEach(p -> r.offer(p, false));
        }
        assertEquals(8, r.out.size(), "frame 13 (TL2, Y) synced TL2: all of frames 12..15");
        assertContinuous(r.out);

        // and down again at once
        r.filter.setTarget(0);
        for (int f = 0; f < 4; f++) {
            s.nextFrame(1, false).forEach(p -> r.offer(p, false));
        }
        assertEquals(9, r.out.size());
        assertContinuous(r.out);
    }

    @Test
    void aLateRepairOfADroppedPacketFillsItsHoleWithPaddingAndNacksMapToWhatWasSent() {
        Sender s = new Sender();
        Receiver r = new Receiver();
        r.filter.setTarget(1);
        List<byte[]> sent = new ArrayList<>();
        for (int f = 0; f < 6; f++) {
            sent.addAll(s.nextFrame(2, f == 0));
        }
        // frame 5 (TL2) loses its first packet; the publisher's repair arrives after frame 6
        byte[] lost = sent.remove(10);
        for (byte[] p : sent) {
            r.offer(p, p == sent.get(0));
        }
        List<byte[]> next = s.nextFrame(2, false); // frame 6: TL1
        next.forEach(p -> r.offer(p, false));
        r.offer(lost, false);
        assertEquals(1, r.paddings, "the hole left by the lost TL2 packet is filled with padding");
        int base = RtpPacket.sequence(r.out.get(0), 0);
        r.out.sort((a, b) -> Integer.compare((RtpPacket.sequence(a, 0) - base) & 0xFFFF,
                (RtpPacket.sequence(b, 0) - base) & 0xFFFF));
        for (int i = 1; i < r.out.size(); i++) {
            assertEquals((RtpPacket.sequence(r.out.get(i - 1), 0) + 1) & 0xFFFF, RtpPacket.sequence(r.out.get(i), 0));
        }
        // a NACK for any number sent maps back to the packet sent under it, with its PictureID
        for (byte[] b : r.out) {
            if (b.length == HEADER + 1) {
                continue;
            }
            int outSeq = RtpPacket.sequence(b, 0);
            int inSeq = r.rewriter.inSequence(outSeq);
            byte[] original = null;
            for (byte[] p : sent) {
                original = RtpPacket.sequence(p, 0) == inSeq ? p : original;
            }
            for (byte[] p : next) {
                original = RtpPacket.sequence(p, 0) == inSeq ? p : original;
            }
            assertTrue(original != null && original[HEADER + 7] == b[HEADER + 7], "NACK of " + outSeq);
            byte[] repair = original.clone();
            r.filter.rewriteRepair(repair, HEADER, repair.length - HEADER, outSeq);
            assertEquals(pictureId(b), pictureId(repair), "the repair carries the PictureID first sent");
        }
    }

    @Test
    void aStreamWithoutTemporalLayersPassesWhole() {
        TemporalLayerFilter filter = new TemporalLayerFilter();
        filter.setTarget(0);
        byte[] plain = {(byte) 0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0x10, 0x01, 0, 0};
        assertTrue(filter.admit(plain, HEADER, plain.length - HEADER, false), "VP8 without TIDs");
    }
}
