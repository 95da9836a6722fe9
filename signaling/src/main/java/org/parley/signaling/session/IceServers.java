package org.parley.signaling.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.wire.Json;

/**
 * The {@code iceServers} of {@code welcome} and {@code refresh}, shaped like WebRTC's RTCIceServer:
 * the configured URLs, or when none are configured those of the TURN server in this process, or
 * nothing (a URL nobody listens on would only cost clients a failed gathering).
 */
public final class IceServers {

    /** Placeholder for the host name the client connected to. */
    static final String HOST = "{host}";

    private final List<String> stun;
    private final List<String> turn;
    private final TurnCredentials credentials;
    private final Supplier<Optional<LocalTurn>> localTurn;

    public IceServers(SignalingConfig.Ice config, byte[] operatorSecret, Clock clock) {
        this(config, operatorSecret, clock, Optional::empty);
    }

    /** {@code localTurn}: the TURN server of this process while it listens, else empty. */
    public IceServers(SignalingConfig.Ice config, byte[] operatorSecret, Clock clock,
            Supplier<Optional<LocalTurn>> localTurn) {
        this.stun = config.stunUrls();
        this.turn = config.turnUrls();
        this.localTurn = localTurn;
        byte[] secret = config.turnSecret()
                .map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).orElse(operatorSecret);
        this.credentials = new TurnCredentials(secret, config.turnCredentialTtl(), clock);
    }

    /**
     * The servers for {@code user}, with fresh TURN credentials; {@code {host}} in a URL becomes
     * {@code host}, the name the client reached this server by.
     */
    public ArrayNode forUser(String user, String host) {
        ArrayNode servers = Json.MAPPER.createArrayNode();
        Optional<LocalTurn> local = stun.isEmpty() || turn.isEmpty() ? localTurn.get() : Optional.empty();
        List<String> stunUrls = stun.isEmpty() ? local.map(LocalTurn::stunUrls).orElse(List.of()) : stun;
        List<String> turnUrls = turn.isEmpty() ? local.map(LocalTurn::turnUrls).orElse(List.of()) : turn;
        if (!stunUrls.isEmpty()) {
            ObjectNode s = servers.addObject();
            ArrayNode urls = s.putArray("urls");
            stunUrls.forEach(u -> urls.add(u.replace(HOST, host)));
        }
        if (!turnUrls.isEmpty()) {
            TurnCredentials.Credential c = credentials.mint(user);
            ObjectNode t = servers.addObject();
            ArrayNode urls = t.putArray("urls");
            turnUrls.forEach(u -> urls.add(u.replace(HOST, host)));
            t.put("username", c.username());
            t.put("credential", c.password());
        }
        return servers;
    }
}
