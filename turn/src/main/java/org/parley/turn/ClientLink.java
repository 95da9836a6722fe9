package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The path back to one client: its 5-tuple and a way to send to it. Over UDP one listening socket
 * serves many clients, over TCP/TLS a connection is one client.
 */
abstract class ClientLink {
    private final FiveTuple fiveTuple;
    /** The allocation made over this 5-tuple, if any (RFC 8656 §7: at most one). */
    Allocation allocation;

    ClientLink(FiveTuple fiveTuple) {
        this.fiveTuple = fiveTuple;
    }

    FiveTuple fiveTuple() {
        return fiveTuple;
    }

    boolean isStream() {
        return fiveTuple.protocol().isStream();
    }

    abstract ByteBufAllocator alloc();

    /** Sends {@code message} to the client; takes ownership of it. */
    abstract void send(ByteBuf message);

    /**
     * Sends {@code length} bytes of {@code payload} from {@code index} as ChannelData on
     * {@code channel} (RFC 8656 §12.4, padded on streams); {@code payload} stays the caller's.
     */
    abstract void sendChannelData(int channel, ByteBuf payload, int index, int length);

    /** Called once the allocation is made, so later packets of this 5-tuple find it. */
    void attach(Allocation a) {
        allocation = a;
    }

    /** Called when the allocation ends. */
    void detach() {
        allocation = null;
    }
}
