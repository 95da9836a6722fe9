package org.parley.relay.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.harvest.AbstractUdpListener;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;
import org.ice4j.util.Buffer;

/**
 * ice4j's single-port UDP harvester, which binds a remote address to the ICE session whose ufrag
 * its first STUN check named, with one addition for ICE restart: a session being replaced
 * ("retired" ufrag) accepts no new remote addresses. A browser that restarts ICE pings from its
 * new sockets with the old credentials until it has the relay's answer; without this, the old
 * session would claim those addresses and the new session would never see their checks.
 */
public final class SharedUdpPortHarvester extends SinglePortUdpHarvester {

    private final Set<String> retired = ConcurrentHashMap.newKeySet();
    private final SharedPortSender sender;

    private SharedUdpPortHarvester(TransportAddress address, SharedPortSender sender) throws IOException {
        super(address);
        this.sender = sender;
    }

    /**
     * Binds the port: first the relay's {@link SharedPortSender}, then ice4j's listener on the
     * same address and port, so that ice4j receives every datagram (the newest bind does).
     *
     * @param address the address and port; port 0 picks a free one
     */
    public static SharedUdpPortHarvester bind(TransportAddress address) throws IOException {
        // Push mode: ice4j's listener thread gives each datagram that is not STUN to its session's
        // component callback (IceTransport runs the handler there) instead of queueing it for a
        // per-session socket thread, which queued it again for the session's reader: two thread
        // wake-ups per datagram saved (docs/benchmarks.md, issue 18). The flag is global to ice4j
        // and read when a listener's thread starts; only single-port listeners use it.
        AbstractUdpListener.USE_PUSH_API = true;
        SharedPortSender sender = SharedPortSender.bind(new InetSocketAddress(address.getAddress(), address.getPort()));
        try {
            return new SharedUdpPortHarvester(
                    new TransportAddress(address.getAddress(), sender.port(), Transport.UDP), sender);
        } catch (IOException | RuntimeException e) {
            sender.close();
            throw e;
        }
    }

    /** One harvester per address ice4j allows (the wildcard bind); addresses that fail are skipped. */
    public static List<SharedUdpPortHarvester> createAll(int port) {
        List<SharedUdpPortHarvester> out = new ArrayList<>();
        for (TransportAddress a : AbstractUdpListener.getAllowedAddresses(port)) {
            try {
                out.add(bind(a));
            } catch (IOException e) {
                // as ice4j's own factory: an address that cannot be bound is left out
            }
        }
        return out;
    }

    /** The socket media leaves by once ICE selected a pair on this port (see {@link IceTransport#send}). */
    SharedPortSender sender() {
        return sender;
    }

    @Override
    public void close() {
        super.close();
        sender.close();
    }

    /** Stops (or resumes) binding new remote addresses to the session with this local ufrag. */
    public void setRetired(String localUfrag, boolean isRetired) {
        if (isRetired) {
            retired.add(localUfrag);
        } else {
            retired.remove(localUfrag);
        }
    }

    @Override
    protected MySocket maybeAcceptNewSession(Buffer buf, InetSocketAddress remoteAddress, String ufrag) {
        if (ufrag != null && retired.contains(ufrag)) {
            return null; // dropped: the restarted session answers this address once it uses the new ufrag
        }
        return super.maybeAcceptNewSession(buf, remoteAddress, ufrag);
    }
}
