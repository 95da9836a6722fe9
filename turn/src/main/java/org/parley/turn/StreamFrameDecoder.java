package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.parley.turn.stun.ChannelData;
import org.parley.turn.stun.StunMessage;

/**
 * Splits a TCP/TLS byte stream into STUN messages and ChannelData frames (RFC 8656 §12.5: over a
 * stream, ChannelData is padded to a multiple of four; RFC 8489 §6.2.2: STUN messages are framed by
 * their length field). Anything else cannot be re-synchronised, so the connection is closed.
 */
final class StreamFrameDecoder extends ByteToMessageDecoder {
    private final TurnMetrics metrics;

    StreamFrameDecoder(TurnMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int at = in.readerIndex();
        int kind = in.getUnsignedByte(at) & 0xC0;
        int length = in.getUnsignedShort(at + 2);
        int frame;
        if (kind == 0x00) {
            frame = StunMessage.HEADER_LENGTH + length;
        } else if (kind == 0x40) {
            frame = ChannelData.HEADER_LENGTH + length + ChannelData.padding(length, true);
        } else {
            metrics.malformed();
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        if (in.readableBytes() < frame) {
            return;
        }
        out.add(in.readRetainedSlice(frame));
    }
}
