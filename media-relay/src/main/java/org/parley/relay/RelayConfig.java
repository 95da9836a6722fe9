package org.parley.relay;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;
import org.parley.relay.bwe.BweSettings;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.transport.PublicAddressMap;

/**
 * Settings of the media relay, read from {@code parley.relay} (see reference.conf for defaults).
 *
 * @param bindAddress address the ICE listeners bind to
 * @param udpPort the single UDP port shared by all endpoints; 0 picks a free one (tests)
 * @param tcpPort the ICE-TCP port; 0 picks a free one (tests)
 * @param advertisedAddresses public addresses announced beside the host candidates (static NAT),
 *        "PUBLIC" or "PUBLIC/LOCAL" each ({@link PublicAddressMap})
 * @param endpointTimeout an endpoint silent this long is expired
 * @param maxEndpoints endpoints this relay accepts before refusing with CAPACITY
 * @param apiSecret shared secret of the HTTP control API; empty turns the API off
 * @param sendQueuePackets bound of each peer's send queue, in packets (a slow receiver's backlog)
 * @param captureFrames test hook: frames kept per forwarded stream (0: off), see {@link org.parley.relay.debug.FrameCapture}
 * @param bwe bounds of the receivers' downlink estimates
 * @param lastN each receiver's default last-N (video from at most N participants), -1 unlimited
 * @param cascadePort UDP port of the relay-to-relay link socket (cascading); 0 any free port, -1 off
 */
public record RelayConfig(String bindAddress, int udpPort, int tcpPort, List<String> advertisedAddresses,
        Duration endpointTimeout, int maxEndpoints, String apiSecret, int sendQueuePackets, int captureFrames,
        BweSettings bwe, int lastN, int cascadePort) {

    /** The default of {@code parley.relay.send-queue-packets}. */
    public static final int DEFAULT_SEND_QUEUE_PACKETS = 512;
    static final int MIN_SEND_QUEUE_PACKETS = 8;
    static final int MAX_SEND_QUEUE_PACKETS = 65_536;
    static final int MAX_CAPTURE_FRAMES = 10_000;

    /** Defaults for the newer settings; what the foundation's callers construct. */
    public RelayConfig(String bindAddress, int udpPort, int tcpPort) {
        this(bindAddress, udpPort, tcpPort, List.of(), Duration.ofSeconds(30), 1000, "");
    }

    /** The default send-queue bound. */
    public RelayConfig(String bindAddress, int udpPort, int tcpPort, List<String> advertisedAddresses,
            Duration endpointTimeout, int maxEndpoints, String apiSecret) {
        this(bindAddress, udpPort, tcpPort, advertisedAddresses, endpointTimeout, maxEndpoints, apiSecret,
                DEFAULT_SEND_QUEUE_PACKETS);
    }

    /** Without the frame-capture test hook. */
    public RelayConfig(String bindAddress, int udpPort, int tcpPort, List<String> advertisedAddresses,
            Duration endpointTimeout, int maxEndpoints, String apiSecret, int sendQueuePackets) {
        this(bindAddress, udpPort, tcpPort, advertisedAddresses, endpointTimeout, maxEndpoints, apiSecret,
                sendQueuePackets, 0, BweSettings.DEFAULTS);
    }

    /** Without relay-to-relay links. */
    public RelayConfig(String bindAddress, int udpPort, int tcpPort, List<String> advertisedAddresses,
            Duration endpointTimeout, int maxEndpoints, String apiSecret, int sendQueuePackets, int captureFrames,
            BweSettings bwe, int lastN) {
        this(bindAddress, udpPort, tcpPort, advertisedAddresses, endpointTimeout, maxEndpoints, apiSecret,
                sendQueuePackets, captureFrames, bwe, lastN, -1);
    }

    /** Unlimited last-N. */
    public RelayConfig(String bindAddress, int udpPort, int tcpPort, List<String> advertisedAddresses,
            Duration endpointTimeout, int maxEndpoints, String apiSecret, int sendQueuePackets, int captureFrames,
            BweSettings bwe) {
        this(bindAddress, udpPort, tcpPort, advertisedAddresses, endpointTimeout, maxEndpoints, apiSecret,
                sendQueuePackets, captureFrames, bwe, -1);
    }

    /** These settings with the frame-capture test hook keeping {@code frames} per stream. */
    public RelayConfig withCaptureFrames(int frames) {
        return new RelayConfig(bindAddress, udpPort, tcpPort, advertisedAddresses, endpointTimeout, maxEndpoints,
                apiSecret, sendQueuePackets, frames, bwe, lastN, cascadePort);
    }

    /** These settings with other bounds for the receivers' downlink estimates. */
    public RelayConfig withBwe(BweSettings settings) {
        return new RelayConfig(bindAddress, udpPort, tcpPort, advertisedAddresses, endpointTimeout, maxEndpoints,
                apiSecret, sendQueuePackets, captureFrames, settings, lastN, cascadePort);
    }

    /** These settings with receivers' default last-N {@code n}. */
    public RelayConfig withLastN(int n) {
        return new RelayConfig(bindAddress, udpPort, tcpPort, advertisedAddresses, endpointTimeout, maxEndpoints,
                apiSecret, sendQueuePackets, captureFrames, bwe, n, cascadePort);
    }

    /** These settings with the relay-to-relay link socket on {@code port} (0: any free port, -1: off). */
    public RelayConfig withCascadePort(int port) {
        return new RelayConfig(bindAddress, udpPort, tcpPort, advertisedAddresses, endpointTimeout, maxEndpoints,
                apiSecret, sendQueuePackets, captureFrames, bwe, lastN, port);
    }

    public RelayConfig {
        advertisedAddresses = List.copyOf(advertisedAddresses);
    }

    /** Reads and validates {@code parley.relay}; errors name the full key. */
    public static RelayConfig from(Config root) {
        Config c = root.getConfig("parley.relay");
        List<String> advertised = c.getStringList("advertised-addresses");
        for (String a : advertised) {
            var problem = PublicAddressMap.problem(a);
            if (problem.isPresent()) {
                throw new ConfigException.BadValue(c.origin(), "parley.relay.advertised-addresses", problem.get());
            }
        }
        Duration timeout = c.getDuration("endpoint-timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay.endpoint-timeout", "must be positive");
        }
        int max = c.getInt("max-endpoints");
        if (max < 1) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay.max-endpoints", "must be at least 1");
        }
        String secret = c.getString("api-secret");
        if (!secret.isEmpty() && secret.length() < 16) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay.api-secret",
                    "must be empty (API off) or at least 16 characters");
        }
        int queue = c.getInt("send-queue-packets");
        if (queue < MIN_SEND_QUEUE_PACKETS || queue > MAX_SEND_QUEUE_PACKETS) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay.send-queue-packets", "must be between "
                    + MIN_SEND_QUEUE_PACKETS + " and " + MAX_SEND_QUEUE_PACKETS + ", got " + queue);
        }
        int capture = c.getInt("debug.capture-frames");
        if (capture < 0 || capture > MAX_CAPTURE_FRAMES) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay.debug.capture-frames",
                    "must be between 0 (off) and " + MAX_CAPTURE_FRAMES + ", got " + capture);
        }
        int lastN = c.getInt("last-n");
        if (lastN < -1 || lastN > ReceiverConstraints.MAX_LAST_N) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay.last-n",
                    "must be -1 (unlimited) or 0.." + ReceiverConstraints.MAX_LAST_N + ", got " + lastN);
        }
        int cascadePort = c.getInt("cascade.port");
        if (cascadePort < -1 || cascadePort > 65535) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay.cascade.port",
                    "must be -1 (off), 0 (any free port) or a port number, got " + cascadePort);
        }
        return new RelayConfig(c.getString("bind-address"), port(c, "udp-port"), port(c, "tcp-port"), advertised,
                timeout, max, secret, queue, capture, BweSettings.from(c), lastN, cascadePort);
    }

    private static int port(Config c, String key) {
        int port = c.getInt(key);
        if (port < 0 || port > 65535) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay." + key,
                    "must be a port number between 0 and 65535, got " + port);
        }
        return port;
    }
}
