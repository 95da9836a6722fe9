package org.parley.signaling;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of call control, read from {@code parley.signaling} (see reference.conf for each
 * default and the reason for it).
 *
 * @param maxFrameBytes largest WebSocket message accepted
 * @param helloTimeout time allowed between the upgrade and {@code hello}
 * @param pingInterval how often clients must send something
 * @param resumeGracePeriod how long a dropped session waits for a resume
 * @param maxUnackedEvents events kept per session until acknowledged
 * @param tokenRefreshWarning lead time of {@code session.token_expiring}
 * @param rateLimit per-connection message budget
 * @param userRateLimit per-user message budget over all its connections (and nodes)
 * @param ice ICE servers for {@code welcome}
 * @param calls one-to-one call settings
 * @param rooms conference settings
 * @param webhook offline-callee webhook
 * @param e2ee end-to-end encryption policy
 */
public record SignalingConfig(int maxFrameBytes, Duration helloTimeout, Duration pingInterval,
        Duration resumeGracePeriod, int maxUnackedEvents, Duration tokenRefreshWarning,
        RateLimit rateLimit, UserRateLimit userRateLimit, Ice ice, Calls calls, Rooms rooms, Webhook webhook, E2ee e2ee) {

    private static final String PREFIX = "parley.signaling.";

    /** Token bucket per connection. */
    public record RateLimit(double messagesPerSecond, int burst) {
    }

    /**
     * At most {@code messages} per {@code window} from one user, over all its connections and, in
     * a cluster, all nodes; 0 messages: no such limit.
     */
    public record UserRateLimit(long messages, Duration window) {
        public boolean enabled() {
            return messages > 0;
        }
    }

    /**
     * ICE servers; an empty {@code turnSecret} means the operator secret, empty URL lists the TURN
     * server of this process (see {@link org.parley.signaling.session.LocalTurn}), or none.
     */
    public record Ice(List<String> stunUrls, List<String> turnUrls, Optional<String> turnSecret,
            Duration turnCredentialTtl) {
    }

    /** Media path of one-to-one calls. */
    public enum CallMedia {
        P2P, RELAY;

        public String wireName() {
            return this == P2P ? "p2p" : "relay";
        }
    }

    /** One-to-one calls. */
    public record Calls(CallMedia media, Duration ringTimeout, boolean callWaiting) {
    }

    /** Conferences. */
    public record Rooms(int maxParticipants, Duration inviteTtl, Duration emptyTimeout, int maxLiveInvites) {
    }

    /** Offline-callee webhook; empty url means off. */
    public record Webhook(Optional<URI> url, Duration timeout) {
    }

    /**
     * End-to-end encryption policy (docs/protocol.md §12): whether every room, and every one-to-one
     * call, must be end-to-end encrypted (a client without an identity key is refused with
     * {@code e2ee_required}).
     */
    public record E2ee(boolean requireForRooms, boolean requireForCalls) {
    }

    /** Reads and validates {@code parley.signaling}; errors name the full key. */
    public static SignalingConfig from(Config root) {
        Config c = root.getConfig("parley.signaling");
        int maxFrame = c.getInt("max-frame-bytes");
        if (maxFrame < 1024) {
            throw bad(c, "max-frame-bytes", "must be at least 1024, got " + maxFrame);
        }
        int maxUnacked = c.getInt("max-unacked-events");
        if (maxUnacked < 16) {
            throw bad(c, "max-unacked-events", "must be at least 16, got " + maxUnacked);
        }
        double rate = c.getDouble("rate-limit.messages-per-second");
        int burst = c.getInt("rate-limit.burst");
        if (rate <= 0) {
            throw bad(c, "rate-limit.messages-per-second", "must be positive");
        }
        if (burst < 1) {
            throw bad(c, "rate-limit.burst", "must be at least 1");
        }
        long userMessages = c.getLong("user-rate-limit.messages");
        if (userMessages < 0) {
            throw bad(c, "user-rate-limit.messages", "must be 0 (off) or more, got " + userMessages);
        }
        UserRateLimit userRate = new UserRateLimit(userMessages, positive(c, "user-rate-limit.window"));
        String turnSecret = c.getString("ice.turn-secret");
        Ice ice = new Ice(urls(c, "ice.stun-urls", "stun:"), urls(c, "ice.turn-urls", "turn"),
                turnSecret.isEmpty() ? Optional.empty() : Optional.of(turnSecret),
                positive(c, "ice.turn-credential-ttl"));
        String media = c.getString("calls.media");
        CallMedia callMedia = switch (media) {
            case "p2p" -> CallMedia.P2P;
            case "relay" -> CallMedia.RELAY;
            default -> throw bad(c, "calls.media", "must be \"p2p\" or \"relay\", got \"" + media + "\"");
        };
        Calls calls = new Calls(callMedia, positive(c, "calls.ring-timeout"), c.getBoolean("calls.call-waiting"));
        int maxParticipants = c.getInt("rooms.max-participants");
        if (maxParticipants < 2) {
            throw bad(c, "rooms.max-participants", "must be at least 2, got " + maxParticipants);
        }
        int maxLiveInvites = c.getInt("rooms.max-live-invites");
        if (maxLiveInvites < 1) {
            throw bad(c, "rooms.max-live-invites", "must be at least 1, got " + maxLiveInvites);
        }
        Rooms rooms = new Rooms(maxParticipants, positive(c, "rooms.invite-ttl"), positive(c, "rooms.empty-timeout"),
                maxLiveInvites);
        return new SignalingConfig(maxFrame, positive(c, "hello-timeout"), positive(c, "ping-interval"),
                positive(c, "resume-grace-period"), maxUnacked, positive(c, "token-refresh-warning"),
                new RateLimit(rate, burst), userRate, ice, calls, rooms,
                new Webhook(webhookUrl(c), positive(c, "webhook.timeout")),
                new E2ee(c.getBoolean("e2ee.require-for-rooms"), c.getBoolean("e2ee.require-for-calls")));
    }

    private static Optional<URI> webhookUrl(Config c) {
        String url = c.getString("webhook.url");
        if (url.isBlank()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(url);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw bad(c, "webhook.url", "must be an http or https URL, got \"" + url + "\"");
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw bad(c, "webhook.url", "not a URL: " + e.getMessage());
        }
    }

    private static List<String> urls(Config c, String key, String prefix) {
        List<String> urls = c.getStringList(key);
        for (String u : urls) {
            if (!u.startsWith(prefix) || u.chars().anyMatch(Character::isWhitespace)) {
                throw bad(c, key, "\"" + u + "\" does not start with " + prefix);
            }
        }
        return List.copyOf(urls);
    }

    private static Duration positive(Config c, String key) {
        Duration d = c.getDuration(key);
        if (d.isZero() || d.isNegative()) {
            throw bad(c, key, "must be positive, got " + d);
        }
        return d;
    }

    private static ConfigException bad(Config c, String key, String why) {
        return new ConfigException.BadValue(c.origin(), PREFIX + key, why);
    }
}
