package org.parley.server.reach;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** An IP address written as text, parsed without ever asking DNS (a name is not a literal). */
final class IpLiteral {

    private IpLiteral() {
    }

    /** The announced side of a "PUBLIC" or "PUBLIC/LOCAL" mapping (relay and TURN alike). */
    static Optional<InetAddress> publicSide(String mapping) {
        int slash = mapping.indexOf('/');
        return parse(slash < 0 ? mapping : mapping.substring(0, slash));
    }

    static Optional<InetAddress> parse(String text) {
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = s.contains(":") && s.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(s));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
