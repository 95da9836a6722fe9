package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS (RFC 8656 §3.1, port 5349 by default) with coturn's client: on with a certificate, off without. */
class CoturnTlsInteropTest {
    private static SelfSignedCertificate certificate;
    private static TestServers.Running running;
    private static CoturnTools.EchoPeer peer;

    @BeforeAll
    static void start() throws Exception {
        CoturnTools.requireTools();
        certificate = new SelfSignedCertificate("turn.parley.test");
        running = TestServers.start(TestServers.config(Map.of(
                "parley.turn.cert", certificate.certificate().getPath(),
                "parley.turn.pkey", certificate.privateKey().getPath())), Clock.systemUTC());
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
        if (certificate != null) {
            certificate.delete();
        }
    }

    @Test
    void uclientRelaysOverTls() throws Exception {
        int tlsPort = running.address("tls").getPort();
        CoturnTools.run(CoturnTools.uclient(tlsPort, "-t", "-S", "-W", TestServers.SECRET, "-u", "alice", "-n", "20",
                "-m", "4", "-l", "170", "-e", "127.0.0.1", "-r", Integer.toString(peer.port)), 90)
                .assertNothingLost(80);
        assertTrue(running.meter("parley.turn.allocations.created") >= 4);
    }

    @Test
    void withoutACertificateThereIsNoTlsListener() throws Exception {
        try (TestServers.Running plain = TestServers.start(TestServers.config(Map.of()), Clock.systemUTC())) {
            assertThrows(IllegalStateException.class, () -> plain.address("tls"));
        }
    }
}
