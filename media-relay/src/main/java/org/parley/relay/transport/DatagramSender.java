package org.parley.relay.transport;

import java.io.IOException;

/** Where a transport layer hands bytes for the wire (the ICE component's selected pair). */
@FunctionalInterface
public interface DatagramSender {
    void send(byte[] data, int offset, int length) throws IOException;
}
