package org.parley.turn;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the TURN server, read from {@code parley.turn} (reference.conf documents every key and
 * its default). Names follow coturn's so an operator can carry a turnserver.conf over.
 *
 * @param listeningIps addresses the UDP, TCP and TLS listeners bind to (coturn: listening-ip)
 * @param listeningPort UDP and TCP port; 0 picks a free one (tests)
 * @param tlsListeningPort TLS port, used only when {@code cert} is set; 0 picks a free one
 * @param cert PEM certificate chain file for TLS; empty turns TLS off
 * @param pkey PEM private key file (PKCS#8) for TLS
 * @param relayIps addresses relayed sockets bind to, at most one per family; empty: the listening ones
 * @param externalIps public addresses to advertise, "public" or "public/private" (coturn: external-ip)
 * @param minPort lowest relay port
 * @param maxPort highest relay port
 * @param realm the long-term credential realm (RFC 8489 §9.2), prepared with RFC 8265 OpaqueString
 * @param useAuthSecret accept TURN REST API credentials made with one of {@code staticAuthSecrets}
 * @param staticAuthSecrets REST API secrets, newest first; several at once allow rotation
 * @param users static long-term users, name to password, both prepared with RFC 8265 OpaqueString
 * @param staleNonceSeconds how long a nonce stays valid before 438 Stale Nonce
 * @param maxAllocateLifetimeSeconds upper bound of an allocation's lifetime (RFC 8656 §7.2)
 * @param permissionLifetimeSeconds lifetime of a permission (RFC 8656 §9: 300 s)
 * @param channelLifetimeSeconds lifetime of a channel binding (RFC 8656 §11: 600 s)
 * @param deniedPeerIps peer ranges denied on top of the built-in ones
 * @param allowedPeerIps peer ranges allowed even when denied by {@code deniedPeerIps} or by default
 * @param allowLoopbackPeers allow relaying to loopback (tests only)
 * @param userQuota allocations per user at once, 0 for unlimited
 * @param totalQuota allocations at once on this server, 0 for unlimited
 * @param maxBps bytes per second per allocation in each direction, 0 for unlimited
 * @param unauthenticatedRate unauthenticated answers per second per source address
 * @param unauthenticatedBurst unauthenticated answers a source may get in a burst
 * @param noTcpRelay refuse RFC 6062 TCP allocations
 * @param maxCredentialLifetime longest a REST credential may still be valid; empty ("auto"): the
 *     server process sets it from signaling's credential TTL, else {@link #FALLBACK_CREDENTIAL_LIFETIME}
 * @param udpBatching move UDP datagrams several per system call ({@code recvmmsg}/{@code sendmmsg})
 *     where Netty's native calls can be reached; false takes the one-datagram-per-call path
 */
public record TurnConfig(
        List<String> listeningIps, int listeningPort, int tlsListeningPort, String cert, String pkey,
        List<String> relayIps, List<String> externalIps, int minPort, int maxPort,
        String realm, boolean useAuthSecret, List<byte[]> staticAuthSecrets, Map<String, String> users,
        int staleNonceSeconds, int maxAllocateLifetimeSeconds, int permissionLifetimeSeconds,
        int channelLifetimeSeconds, List<String> deniedPeerIps, List<String> allowedPeerIps,
        boolean allowLoopbackPeers, int userQuota, int totalQuota, long maxBps,
        int unauthenticatedRate, int unauthenticatedBurst, boolean noTcpRelay,
        Optional<Duration> maxCredentialLifetime, boolean udpBatching) {

    private static final String P = "parley.turn.";
    /**
     * Added to signaling's credential TTL: the clocks of a signaling and a TURN host may differ a
     * little, and the expiry is rounded to whole seconds.
     */
    public static final Duration CREDENTIAL_LIFETIME_SLACK = Duration.ofMinutes(5);
    /**
     * Limit of a TURN-only node with {@code max-credential-lifetime = auto}: it cannot know the TTL
     * of whichever signaling mints its credentials, so it takes the one day that the TURN REST
     * draft's example, coturn's own client ({@code turnutils_uclient -W}) and most minting code use,
     * plus the slack. Parley's signaling mints 12 h by default, well inside it.
     */
    public static final Duration FALLBACK_CREDENTIAL_LIFETIME = Duration.ofDays(1).plus(CREDENTIAL_LIFETIME_SLACK);

    /** Reads and validates {@code parley.turn}; errors name the full key. */
    public static TurnConfig from(Config root) {
        Config c = root.getConfig("parley.turn");
        List<String> listening = ipList(c, "listening-ip");
        if (listening.isEmpty()) {
            throw bad(c, "listening-ip", "needs at least one address");
        }
        int port = port(c, "listening-port");
        int tlsPort = port(c, "tls-listening-port");
        String cert = c.getString("cert");
        String pkey = c.getString("pkey");
        if (!cert.isEmpty() && pkey.isEmpty()) {
            throw bad(c, "pkey", "must be set when parley.turn.cert is set");
        }
        List<String> relay = ipList(c, "relay-ip");
        List<String> external = stringList(c, "external-ip");
        for (String e : external) {
            for (String part : e.split("/", -1)) {
                if (!NetUtil.isValidIpV4Address(part) && !NetUtil.isValidIpV6Address(part)) {
                    throw bad(c, "external-ip", "expects \"public\" or \"public/private\" IP literals, got " + e);
                }
            }
        }
        int minPort = port(c, "min-port");
        int maxPort = port(c, "max-port");
        if (minPort < 1024 || maxPort < minPort) {
            throw bad(c, "max-port", "relay range must be 1024 <= min-port <= max-port, got "
                    + minPort + ".." + maxPort);
        }
        String realm = c.getString("realm");
        if (realm.isEmpty() || realm.length() > 127) {
            throw bad(c, "realm", "must be 1 to 127 characters (RFC 8489 §14.9)");
        }
        realm = prepared(c, "realm", realm, "the realm");
        List<byte[]> secrets = new ArrayList<>();
        for (String s : stringList(c, "static-auth-secret")) {
            secrets.add(s.getBytes(StandardCharsets.UTF_8));
        }
        Map<String, String> users = new LinkedHashMap<>();
        for (String u : stringList(c, "user")) {
            int colon = u.indexOf(':');
            if (colon <= 0) {
                throw bad(c, "user", "entries are \"name:password\", got one without a name or colon");
            }
            // RFC 8489 §9.2.2, §14.3: names and passwords enter the key OpaqueString-prepared (RFC 8265).
            String name = prepared(c, "user", u.substring(0, colon), "a user name");
            String password = prepared(c, "user", u.substring(colon + 1), "the password of user " + name);
            if (users.put(name, password) != null) {
                throw bad(c, "user", "lists user " + name + " twice (after RFC 8265 preparation)");
            }
        }
        List<String> denied = commaSeparated(stringList(c, "denied-peer-ip"));
        List<String> allowed = commaSeparated(stringList(c, "allowed-peer-ip"));
        for (String r : denied) {
            checkRange(c, "denied-peer-ip", r);
        }
        for (String r : allowed) {
            checkRange(c, "allowed-peer-ip", r);
        }
        int maxLifetime = positive(c, "max-allocate-lifetime");
        if (maxLifetime < 600) {
            throw bad(c, "max-allocate-lifetime", "must be at least the 600 s default (RFC 8656 §7.2)");
        }
        return new TurnConfig(listening, port, tlsPort, cert, pkey, relay, external, minPort, maxPort,
                realm, c.getBoolean("use-auth-secret"), List.copyOf(secrets), Map.copyOf(users),
                positive(c, "stale-nonce"), maxLifetime, positive(c, "permission-lifetime"),
                positive(c, "channel-lifetime"), denied, allowed, c.getBoolean("allow-loopback-peers"),
                nonNegative(c, "user-quota"), nonNegative(c, "total-quota"),
                c.getLong("max-bps") < 0 ? failLong(c, "max-bps") : c.getLong("max-bps"),
                positive(c, "unauthenticated-rate"), positive(c, "unauthenticated-burst"),
                c.getBoolean("no-tcp-relay"), credentialLifetime(c), bool(c, "udp-batching"));
    }

    /** A boolean setting; anything else is an error naming the key. */
    private static boolean bool(Config c, String key) {
        try {
            return c.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            throw bad(c, key, "must be true or false");
        }
    }

    /** {@code max-credential-lifetime}: "auto" or a positive duration. */
    private static Optional<Duration> credentialLifetime(Config c) {
        String key = "max-credential-lifetime";
        if (c.getValue(key).valueType() == ConfigValueType.STRING && "auto".equals(c.getString(key))) {
            return Optional.empty();
        }
        Duration d;
        try {
            d = c.getDuration(key);
        } catch (ConfigException e) {
            throw bad(c, key, "must be \"auto\" or a duration such as 12h");
        }
        if (d.isZero() || d.isNegative()) {
            throw bad(c, key, "must be positive, got " + d);
        }
        return Optional.of(d);
    }

    /** The longest a REST credential may still be valid when it is used. */
    public Duration credentialLifetimeLimit() {
        return maxCredentialLifetime.orElse(FALLBACK_CREDENTIAL_LIFETIME);
    }

    /**
     * This configuration, with an "auto" {@code max-credential-lifetime} following the TTL of the
     * credentials signaling mints in this process, plus the slack.
     */
    public TurnConfig withCredentialTtlOf(Duration signalingTtl) {
        if (maxCredentialLifetime.isPresent()) {
            return this;
        }
        return copy(staticAuthSecrets, Optional.of(signalingTtl.plus(CREDENTIAL_LIFETIME_SLACK)));
    }

    /** {@code value} prepared with RFC 8265 OpaqueString; the error names the key, never the value. */
    private static String prepared(Config c, String key, String value, String what) {
        try {
            return OpaqueString.prepare(value);
        } catch (IllegalArgumentException e) {
            throw bad(c, key, what + " " + e.getMessage());
        }
    }

    /** The first listening address (what a single-address deployment binds to). */
    public String listeningIp() {
        return listeningIps.get(0);
    }

    /** True when TLS is configured (a certificate is given). */
    public boolean tlsEnabled() {
        return !cert.isEmpty();
    }

    /**
     * This configuration, using {@code secret} as the REST API secret when {@code parley.turn} lists
     * none. The server passes the operator's {@code parley.auth.secret} here, which signaling also uses
     * to mint TURN credentials.
     */
    public TurnConfig withDefaultRestSecret(byte[] secret) {
        if (!staticAuthSecrets.isEmpty() || secret == null || secret.length == 0) {
            return this;
        }
        return copy(List.of(secret.clone()), maxCredentialLifetime);
    }

    private TurnConfig copy(List<byte[]> secrets, Optional<Duration> credentialLifetime) {
        return new TurnConfig(listeningIps, listeningPort, tlsListeningPort, cert, pkey, relayIps,
                externalIps, minPort, maxPort, realm, useAuthSecret, secrets, users,
                staleNonceSeconds, maxAllocateLifetimeSeconds, permissionLifetimeSeconds,
                channelLifetimeSeconds, deniedPeerIps, allowedPeerIps, allowLoopbackPeers, userQuota,
                totalQuota, maxBps, unauthenticatedRate, unauthenticatedBurst, noTcpRelay, credentialLifetime,
                udpBatching);
    }

    /** Like {@link #stringList}, and a single string may list several addresses separated by commas. */
    private static List<String> ipList(Config c, String key) {
        List<String> list = commaSeparated(stringList(c, key));
        for (String ip : list) {
            if (!NetUtil.isValidIpV4Address(ip) && !NetUtil.isValidIpV6Address(ip)) {
                throw bad(c, key, "expects IP literals (no host names), got " + ip);
            }
        }
        return List.copyOf(list);
    }

    /**
     * Every entry split at commas ({@code -Dparley.turn.denied-peer-ip=10.0.0.0/8,192.168.0.0/16}):
     * addresses and ranges never contain one.
     */
    private static List<String> commaSeparated(List<String> entries) {
        List<String> list = new ArrayList<>();
        for (String s : entries) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    list.add(part.trim());
                }
            }
        }
        return List.copyOf(list);
    }

    /** A key that may be a single string (coturn style) or a list of strings; "" means none. */
    private static List<String> stringList(Config c, String key) {
        List<String> out = new ArrayList<>();
        if (c.getValue(key).valueType() == ConfigValueType.STRING) {
            out.add(c.getString(key));
        } else {
            // a list, or an object with numeric keys (-Dparley.turn.KEY.0=...), which Config reads as a list
            out.addAll(c.getStringList(key));
        }
        out.removeIf(String::isBlank);
        return List.copyOf(out);
    }

    private static void checkRange(Config c, String key, String range) {
        try {
            AddressRange.parse(range);
        } catch (IllegalArgumentException e) {
            throw bad(c, key, e.getMessage());
        }
    }

    private static int port(Config c, String key) {
        int port = c.getInt(key);
        if (port < 0 || port > 65535) {
            throw bad(c, key, "must be a port number between 0 and 65535, got " + port);
        }
        return port;
    }

    private static int positive(Config c, String key) {
        int v = c.getInt(key);
        if (v <= 0) {
            throw bad(c, key, "must be positive, got " + v);
        }
        return v;
    }

    private static int nonNegative(Config c, String key) {
        int v = c.getInt(key);
        if (v < 0) {
            throw bad(c, key, "must be 0 (unlimited) or more, got " + v);
        }
        return v;
    }

    private static long failLong(Config c, String key) {
        throw bad(c, key, "must be 0 (unlimited) or more");
    }

    private static ConfigException bad(Config c, String key, String why) {
        return new ConfigException.BadValue(c.origin(), P + key, why);
    }

    /** Parses an IP literal; callers have validated it. */
    static InetAddress ip(String literal) {
        return NetUtil.createInetAddressFromIpAddressString(literal);
    }
}
