package org.parley.relay;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;
import org.parley.relay.control.RelayControl;

/**
 * The media relay process part: owns the ICE listeners and the conferences.
 *
 * <p>Foundation state: reserves its UDP and TCP ports; ICE, DTLS-SRTP and forwarding land with the
 * relay issue.
 */
public final class RelayServer implements AutoCloseable {

    private final RelayConfig config;
    private DatagramSocket udp;
    private ServerSocket tcp;

    public RelayServer(RelayConfig config, MeterRegistry registry, Clock clock) {
        this.config = config;
    }

    /** Binds every listener; returns one line per listener naming its bound address. */
    public List<String> start() throws IOException {
        InetAddress bind = InetAddress.getByName(config.bindAddress());
        udp = new DatagramSocket(new InetSocketAddress(bind, config.udpPort()));
        tcp = new ServerSocket(config.tcpPort(), 50, bind);
        return List.of("relay udp " + bind.getHostAddress() + ":" + udp.getLocalPort(),
                "relay tcp " + bind.getHostAddress() + ":" + tcp.getLocalPort());
    }

    /** The in-process control API; not available before the relay issue lands. */
    public RelayControl control() {
        throw new UnsupportedOperationException("relay control lands with the relay issue");
    }

    @Override
    public void close() throws IOException {
        if (udp != null) {
            udp.close();
        }
        if (tcp != null) {
            tcp.close();
        }
    }
}
