package org.parley.relay.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;

/**
 * The relay's listening sockets, shared by every endpoint's ICE agent: one UDP port through
 * ice4j's {@link SinglePortUdpHarvester} (agents are told apart by the ufrag of the first STUN
 * check, then by the remote address) and one ICE-TCP port (RFC 6544).
 */
public final class IceHarvesters implements AutoCloseable {

    private final List<SharedUdpPortHarvester> udp = new ArrayList<>();
    private final IceTcpListener tcp;
    private boolean loopbackOnly;

    /**
     * @param bindAddress a concrete address, or 0.0.0.0 for every address ice4j allows
     * @param udpPort UDP port; 0 picks a free one (only with a concrete address)
     * @param tcpPort TCP port, already known to be free when 0 was configured; -1 disables ICE-TCP
     */
    public IceHarvesters(String bindAddress, int udpPort, int tcpPort) throws IOException {
        InetAddress bind = InetAddress.getByName(bindAddress);
        if (bind.isAnyLocalAddress()) {
            // ice4j binds every address it allows: non-loopback, IPv4 only (Ice4jSettings), minus
            // its allowed/blocked interface and address settings.
            udp.addAll(SharedUdpPortHarvester.createAll(udpPort));
        }
        if (bind.isAnyLocalAddress() && !udp.isEmpty()) {
            tcp = tcpPort < 0 ? null : listening(new IceTcpListener(tcpPort));
        } else {
            if (bind.isAnyLocalAddress()) {
                // A host with nothing but loopback (a laptop offline, a container without a
                // network): serve on 127.0.0.1 rather than refusing to start.
                bind = InetAddress.getByName("127.0.0.1");
                loopbackOnly = true;
            }
            udp.add(SharedUdpPortHarvester.bind(new TransportAddress(bind, udpPort, Transport.UDP)));
            tcp = tcpPort < 0 ? null
                    : listening(new IceTcpListener(new TransportAddress(bind, tcpPort, Transport.TCP)));
        }
    }

    /** The listener, or null (closed) when ice4j bound no address, e.g. only loopback was asked for. */
    private static IceTcpListener listening(IceTcpListener listener) {
        if (listener.boundAddresses().isEmpty()) {
            listener.close();
            return null;
        }
        return listener;
    }

    /** True when a wildcard bind found no other address and fell back to 127.0.0.1. */
    public boolean loopbackOnly() {
        return loopbackOnly;
    }

    /** The harvesters an endpoint's agent uses. */
    public List<CandidateHarvester> all() {
        List<CandidateHarvester> all = new ArrayList<>(udp);
        if (tcp != null) {
            all.add(tcp);
        }
        return all;
    }

    /** The bound UDP addresses, for start-up lines and tests. */
    public List<TransportAddress> udpAddresses() {
        return udp.stream().map(SinglePortUdpHarvester::getLocalAddress).toList();
    }

    /** The addresses ICE-TCP really listens on; empty when it is off or ice4j refused the address. */
    public List<TransportAddress> tcpAddresses() {
        return tcp == null ? List.of() : tcp.boundAddresses();
    }

    @Override
    public void close() {
        udp.forEach(SinglePortUdpHarvester::close);
        if (tcp != null) {
            tcp.close();
        }
    }
}
