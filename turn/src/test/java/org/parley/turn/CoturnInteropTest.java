package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * coturn's own client, {@code turnutils_uclient}, against our server: every transport and mode it
 * has, REST and static credentials, nothing lost. uclient's exit code ignores loss, so the tests read
 * its totals.
 */
class CoturnInteropTest {
    private static TestServers.Running running;
    private static CoturnTools.EchoPeer peer;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        CoturnTools.requireTools();
        running = TestServers.start(TestServers.config(Map.of("parley.turn.user", List.of("carol:pw"))),
                Clock.systemUTC());
        port = running.address("udp").getPort();
        peer = new CoturnTools.EchoPeer();
    }

    @AfterAll
    static void stop() throws Exception {
        if (peer != null) {
            peer.close();
        }
        if (running != null) {
            running.close();
        }
    }

    private static CoturnTools.Run uclient(String... args) throws Exception {
        return CoturnTools.run(CoturnTools.uclient(port, args), 90);
    }

    private static String[] toPeer(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("-e", "127.0.0.1", "-r", Integer.toString(peer.port)));
        return all.toArray(String[]::new);
    }

    @Test
    void stunClientLearnsItsReflexiveAddress() throws Exception {
        CoturnTools.Run run = CoturnTools.run(List.of(CoturnTools.STUNCLIENT.toString(), "-p",
                Integer.toString(port), "127.0.0.1"), 30);
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("UDP reflexive addr: 127.0.0.1:"), run.output());
    }

    @Test
    void udpChannelsWithRestCredentialsAndEvenPortReservations() throws Exception {
        double before = running.meter("parley.turn.reservations", "outcome", "used");
        uclient(toPeer("-W", TestServers.SECRET, "-u", "alice", "-n", "20", "-m", "5", "-l", "170"))
                .assertNothingLost(100);
        // Without -c clients allocate RTP/RTCP pairs: EVEN-PORT (R bit) then RESERVATION-TOKEN.
        double used = running.meter("parley.turn.reservations", "outcome", "used") - before;
        assertTrue(used >= 1, "reservations used: " + used);
        assertEquals(0.0, running.meter("parley.turn.allocations.failed", "reason", "reservation"));
    }

    @Test
    void udpSendIndications() throws Exception {
        uclient(toPeer("-s", "-W", TestServers.SECRET, "-u", "alice", "-n", "20", "-m", "5", "-l", "170"))
                .assertNothingLost(100);
    }

    @Test
    void clientToClientThroughTwoAllocations() throws Exception {
        CoturnTools.Run run = uclient("-y", "-W", TestServers.SECRET, "-u", "alice", "-n", "20", "-m", "4", "-l", "170");
        run.assertNothingLost(80);
    }

    @Test
    void staticLongTermUser() throws Exception {
        uclient(toPeer("-u", "carol", "-w", "pw", "-n", "20", "-m", "2", "-l", "100")).assertNothingLost(40);
    }

    @Test
    void wrongCredentialsAreRejected() throws Exception {
        double failures = running.meter("parley.turn.auth.failures", "reason", "bad_integrity");
        CoturnTools.Run run = uclient(toPeer("-W", "not-the-secret", "-u", "alice", "-n", "5", "-m", "1"));
        assertEquals(255, run.exitCode(), run.tail());
        assertTrue(run.output().contains("Cannot complete Allocation"), run.tail());
        assertTrue(running.meter("parley.turn.auth.failures", "reason", "bad_integrity") > failures);
    }

    @Test
    void nothingIsLostAtModerateLoad() throws Exception {
        uclient(toPeer("-W", TestServers.SECRET, "-u", "alice", "-n", "100", "-m", "40", "-l", "200"))
                .assertNothingLost(4000);
    }

    @Test
    void tcpClientTransportWithChannels() throws Exception {
        uclient(toPeer("-t", "-W", TestServers.SECRET, "-u", "alice", "-n", "20", "-m", "5", "-l", "170"))
                .assertNothingLost(100);
    }

    @Test
    void tcpClientTransportWithSendIndications() throws Exception {
        uclient(toPeer("-t", "-s", "-W", TestServers.SECRET, "-u", "alice", "-n", "20", "-m", "5", "-l", "171"))
                .assertNothingLost(100);
    }

    @Test
    void tcpRelayBetweenTwoClients() throws Exception {
        double before = running.meter("parley.turn.relayed.bytes", "direction", "client_to_peer");
        CoturnTools.Run run = uclient("-T", "-y", "-W", TestServers.SECRET, "-u", "alice", "-n", "20", "-m", "4",
                "-l", "170");
        run.assertNothingLost(80);
        assertTrue(running.meter("parley.turn.relayed.bytes", "direction", "client_to_peer") - before >= 80 * 170);
    }
}
