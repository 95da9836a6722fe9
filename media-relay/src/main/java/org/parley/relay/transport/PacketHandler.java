package org.parley.relay.transport;

import java.net.SocketAddress;

/** Receives every non-STUN datagram of one ICE transport, on its receive thread. */
@FunctionalInterface
public interface PacketHandler {
    /** The array is reused after the call returns: copy what must be kept. */
    void onPacket(byte[] data, int offset, int length, SocketAddress from);
}
