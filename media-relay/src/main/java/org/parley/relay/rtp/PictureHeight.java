package org.parley.relay.rtp;

import org.parley.relay.sdp.RelayCodec;

/**
 * Reads the picture height a keyframe's first RTP packet announces, so the relay knows what each
 * simulcast layer shows: the VP8 key frame header (RFC 6386 section 9.1) or the H.264 sequence
 * parameter set (ITU-T H.264 section 7.3.2.1.1). One instance per receive thread: it keeps its
 * bit cursor in fields so parsing allocates nothing.
 */
public final class PictureHeight {

    private static final int MAX_HEIGHT = 8192;
    private byte[] buf;
    private int pos;
    private int end;
    private int bit;
    private int zeros;
    private int current;

    /** The height in pixels, or 0 when the packet does not say (other codecs, E2EE, truncated). */
    public int of(RelayCodec codec, byte[] b, int payloadOff, int payloadLen) {
        try {
            int h = switch (codec) {
                case VP8 -> vp8(b, payloadOff, payloadLen);
                case H264 -> h264(b, payloadOff, payloadLen);
                default -> 0;
            };
            return h > 0 && h <= MAX_HEIGHT ? h : 0;
        } catch (ArrayIndexOutOfBoundsException | IllegalStateException e) {
            return 0;
        }
    }

    /** After the descriptor: 3-byte frame tag, start code 9d 01 2a, width, then height (14 bits LE). */
    static int vp8(byte[] b, int off, int len) {
        int d = Vp8Descriptor.length(b, off, len);
        if (d < 0 || len - d < 10) {
            return 0;
        }
        int f = off + d;
        if ((b[f + 3] & 0xff) != 0x9d || (b[f + 4] & 0xff) != 0x01 || (b[f + 5] & 0xff) != 0x2a) {
            return 0;
        }
        return ((b[f + 8] & 0xff) | (b[f + 9] & 0xff) << 8) & 0x3fff;
    }

    /** An SPS NAL unit alone, or inside a STAP-A (RFC 6184 section 5.7.1). */
    int h264(byte[] b, int off, int len) {
        int type = b[off] & 0x1f;
        if (type == 7) {
            return sps(b, off + 1, off + len);
        }
        if (type == 24) {
            int i = off + 1;
            while (i + 2 < off + len) {
                int size = RtpPacket.u16(b, i);
                if ((b[i + 2] & 0x1f) == 7 && i + 2 + size <= off + len) {
                    return sps(b, i + 3, i + 2 + size);
                }
                i += 2 + size;
            }
        }
        return 0;
    }

    private int sps(byte[] b, int from, int to) {
        buf = b;
        pos = from;
        end = to;
        bit = 8;
        zeros = 0;
        int profile = bits(8);
        bits(16); // constraint flags, level_idc
        ue(); // seq_parameter_set_id
        int chroma = 1;
        if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 || profile == 83
                || profile == 86 || profile == 118 || profile == 128 || profile == 138 || profile == 139
                || profile == 134 || profile == 135) {
            chroma = ue();
            if (chroma == 3) {
                bits(1); // separate_colour_plane_flag
            }
            ue(); // bit_depth_luma_minus8
            ue(); // bit_depth_chroma_minus8
            bits(1); // qpprime_y_zero_transform_bypass_flag
            if (bits(1) == 1) {
                for (int i = 0; i < (chroma == 3 ? 12 : 8); i++) {
                    if (bits(1) == 1) {
                        skipScalingList(i < 6 ? 16 : 64);
                    }
                }
            }
        }
        ue(); // log2_max_frame_num_minus4
        int pocType = ue();
        if (pocType == 0) {
            ue();
        } else if (pocType == 1) {
            bits(1);
            ue(); // offset_for_non_ref_pic (se, same bit length)
            ue(); // offset_for_top_to_bottom_field
            int cycle = ue();
            for (int i = 0; i < cycle; i++) {
                ue();
            }
        }
        ue(); // max_num_ref_frames
        bits(1); // gaps_in_frame_num_value_allowed_flag
        ue(); // pic_width_in_mbs_minus1
        int heightInMapUnits = ue() + 1;
        int frameMbsOnly = bits(1);
        if (frameMbsOnly == 0) {
            bits(1); // mb_adaptive_frame_field_flag
        }
        bits(1); // direct_8x8_inference_flag
        int height = (2 - frameMbsOnly) * heightInMapUnits * 16;
        if (bits(1) == 1) {
            ue();
            ue();
            int top = ue();
            int bottom = ue();
            int subHeightC = chroma == 1 ? 2 : 1;
            int cropUnitY = (chroma == 0 ? 1 : subHeightC) * (2 - frameMbsOnly);
            height -= cropUnitY * (top + bottom);
        }
        return height;
    }

    private void skipScalingList(int size) {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size; j++) {
            if (next != 0) {
                int v = ue();
                int delta = (v & 1) == 1 ? (v + 1) / 2 : -(v / 2);
                next = (last + delta + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    /** Exp-Golomb ue(v) (H.264 section 9.1). */
    private int ue() {
        int leading = 0;
        while (bits(1) == 0) {
            if (++leading > 31) {
                throw new IllegalStateException("bad exp-Golomb code");
            }
        }
        return leading == 0 ? 0 : (1 << leading) - 1 + bits(leading);
    }

    private int bits(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            if (bit == 8) {
                nextByte();
            }
            v = (v << 1) | ((current >> (7 - bit)) & 1);
            bit++;
        }
        return v;
    }

    /** Next RBSP byte, dropping emulation prevention bytes (00 00 03, H.264 section 7.4.1). */
    private void nextByte() {
        if (pos >= end) {
            throw new IllegalStateException("SPS truncated");
        }
        int v = buf[pos++] & 0xff;
        if (zeros >= 2 && v == 3) {
            zeros = 0;
            if (pos >= end) {
                throw new IllegalStateException("SPS truncated");
            }
            v = buf[pos++] & 0xff;
        }
        zeros = v == 0 ? zeros + 1 : 0;
        current = v;
        bit = 0;
    }
}
