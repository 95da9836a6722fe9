package org.parley.relay.transport;

import java.io.IOException;

/** Where a transport layer hands bytes for the wire (the ICE component's selected pair). */
@FunctionalInterface
public interface DatagramSender {
    /** @return false when the datagram was dropped because the socket had no room for it */
    boolean send(byte[] data, int offset, int length) throws IOException;
}
