package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ice4j.socket.MultiplexingDatagramSocket;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.TurnCandidateHarvester;
import org.ice4j.security.LongTermCredential;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.junit.jupiter.api.Test;

/** ice4j's TURN harvester (used by Jitsi) obtains a relayed candidate from our server. */
class Ice4jHarvesterTest {
    @Test
    void harvesterObtainsARelayedCandidate() throws Exception {
        TurnConfig config = TestServers.config(Map.of("parley.turn.user", List.of("jitsi:harvest-pw")));
        try (TestServers.Running running = TestServers.start(config, Clock.systemUTC())) {
            InetSocketAddress server = running.address("udp");
            Agent agent = new Agent();
            // Only loopback exists for tests (they run in a loopback-only namespace), and ice4j's
            // host harvester skips loopback: the one host candidate is added by hand below.
            agent.setUseDynamicPorts(false);
            try {
                IceMediaStream stream = agent.createMediaStream("audio");
                // A host candidate of our own on loopback: ice4j's host harvester skips loopback.
                Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
                IceUdpSocketWrapper socket = new IceUdpSocketWrapper(
                        new MultiplexingDatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
                HostCandidate host = new HostCandidate(socket, component, Transport.UDP);
                component.addLocalCandidate(host);
                agent.getStunStack().addSocket(host.getStunSocket(null));

                TurnCandidateHarvester harvester = new TurnCandidateHarvester(
                        new TransportAddress(server.getAddress(), server.getPort(), Transport.UDP),
                        new LongTermCredential("jitsi", "harvest-pw"));
                Collection<LocalCandidate> candidates = harvester.harvest(component);

                LocalCandidate relayed = candidates.stream()
                        .filter(c -> c.getType() == CandidateType.RELAYED_CANDIDATE).findFirst()
                        .orElseThrow(() -> new AssertionError("no relayed candidate in " + candidates));
                int port = relayed.getTransportAddress().getPort();
                assertEquals("127.0.0.1", relayed.getTransportAddress().getHostAddress());
                assertTrue(port >= config.minPort() && port <= config.maxPort(), "relayed port " + port);
                assertTrue(running.meter("parley.turn.allocations.current") >= 1);
            } finally {
                agent.free();
            }
        }
    }
}
