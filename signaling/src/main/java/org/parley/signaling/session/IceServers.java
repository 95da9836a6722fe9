package org.parley.signaling.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.wire.Json;

/** The {@code iceServers} of {@code welcome} and {@code refresh}, shaped like WebRTC's RTCIceServer. */
public final class IceServers {

    /** Placeholder for the host name the client connected to. */
    static final String HOST = "{host}";

    private final List<String> stun;
    private final List<String> turn;
    private final TurnCredentials credentials;

    public IceServers(SignalingConfig.Ice config, byte[] operatorSecret, Clock clock) {
        this.stun = config.stunUrls();
        this.turn = config.turnUrls();
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
        if (!stun.isEmpty()) {
            ObjectNode s = servers.addObject();
            ArrayNode urls = s.putArray("urls");
            stun.forEach(u -> urls.add(u.replace(HOST, host)));
        }
        if (!turn.isEmpty()) {
            TurnCredentials.Credential c = credentials.mint(user);
            ObjectNode t = servers.addObject();
            ArrayNode urls = t.putArray("urls");
            turn.forEach(u -> urls.add(u.replace(HOST, host)));
            t.put("username", c.username());
            t.put("credential", c.password());
        }
        return servers;
    }
}
