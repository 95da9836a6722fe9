package org.parley.server;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.parley.signaling.auth.TokenIssuer;

/**
 * "Try it in a minute": two ready sign-in links for the demo users alice and bob, with a one-line
 * hint, so that a newcomer can place a call between two browser tabs without minting tokens. The
 * token rides in the URL's fragment (#token=...), which the browser never sends, so it stays out
 * of access logs and proxies.
 */
final class DemoSignInLinks {

    static final List<String> USERS = List.of("alice", "bob");

    private DemoSignInLinks() {
    }

    /**
     * The hint and one line per demo user. {@code host} is the HTTP listener's configured address:
     * a wildcard becomes 127.0.0.1, the one address every browser treats as a secure origin for the
     * camera and microphone without HTTPS.
     */
    static List<String> lines(InetAddress host, int port, byte[] secret, Duration lifetime, Clock clock) {
        String origin = "http://" + hostPart(host) + ":" + port;
        TokenIssuer issuer = new TokenIssuer(secret, clock);
        List<String> lines = new ArrayList<>();
        lines.add("Try it: open these two links in two browser tabs and call bob from alice's tab (demo users,"
                + " valid for " + words(lifetime) + "; more with `parley-server token --user NAME`):");
        for (String user : USERS) {
            String token = issuer.issue(user, Optional.of(displayName(user)), Optional.empty(), Optional.empty(),
                    lifetime);
            lines.add("  " + user + ": " + origin + "/#token=" + token);
        }
        return lines;
    }

    private static String hostPart(InetAddress host) {
        if (host.isAnyLocalAddress()) {
            return "127.0.0.1";
        }
        String text = host.getHostAddress();
        return text.contains(":") ? "[" + text + "]" : text;
    }

    private static String displayName(String user) {
        return user.substring(0, 1).toUpperCase(Locale.ROOT) + user.substring(1);
    }

    private static String words(Duration d) {
        if (d.toMinutes() == 0) {
            return d.toSeconds() + " s";
        }
        return d.toMinutes() % 60 == 0 ? d.toHours() + " h" : d.toMinutes() + " min";
    }
}
