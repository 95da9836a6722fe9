package org.parley.relay.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.ice.harvest.HarvestStatistics;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.socket.MultiplexingDatagramSocket;

/**
 * Gives a client agent one UDP host candidate on a chosen address (127.0.0.1 in tests): ice4j's
 * own host harvester skips loopback interfaces and would otherwise use every other address.
 */
public final class LoopbackHarvester implements CandidateHarvester {

    private final InetAddress address;
    private final HarvestStatistics statistics = new HarvestStatistics();

    public LoopbackHarvester(InetAddress address) {
        this.address = address;
    }

    @Override
    public Collection<LocalCandidate> harvest(Component component) {
        try {
            MultiplexingDatagramSocket socket = new MultiplexingDatagramSocket(0, address);
            HostCandidate candidate = new HostCandidate(new IceUdpSocketWrapper(socket), component, Transport.UDP);
            component.addLocalCandidate(candidate);
            candidate.getStunStack().addSocket(candidate.getStunSocket(null));
            component.getComponentSocket().add(candidate.getCandidateIceSocketWrapper());
            return List.of(candidate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public HarvestStatistics getHarvestStatistics() {
        return statistics;
    }

    @Override
    public boolean isHostHarvester() {
        return true;
    }
}
