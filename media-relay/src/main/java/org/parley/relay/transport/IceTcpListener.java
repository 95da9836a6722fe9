package org.parley.relay.transport;

import java.io.IOException;
import java.util.List;
import org.ice4j.TransportAddress;
import org.ice4j.ice.harvest.TcpHarvester;

/**
 * ice4j's passive ICE-TCP listener (RFC 6544 section 4.1), saying which addresses it really
 * listens on: ice4j silently drops every address its host harvesting does not allow, loopback
 * always among them (HostCandidateHarvester.isAddressAllowed), and then binds nothing there.
 */
final class IceTcpListener extends TcpHarvester {

    /** Listens on {@code port} of every address ice4j allows. */
    IceTcpListener(int port) throws IOException {
        super(port, false);
    }

    /** Listens on {@code address} if ice4j allows it. */
    IceTcpListener(TransportAddress address) throws IOException {
        super(List.of(address), false);
    }

    /** The addresses a socket is bound to; empty when ice4j refused every one. */
    List<TransportAddress> boundAddresses() {
        return List.copyOf(localAddresses);
    }
}
