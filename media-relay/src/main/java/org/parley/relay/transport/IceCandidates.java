package org.parley.relay.transport;

import java.net.InetAddress;
import java.util.Locale;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.CandidateTcpType;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;

/** Converts ICE candidates to and from their SDP attribute form (RFC 8839 section 5.1). */
public final class IceCandidates {

    private IceCandidates() {
    }

    /** The SDP value ("candidate:...") of a local candidate, optionally at another address. */
    public static String toSdp(LocalCandidate c, String advertisedIp, String typ) {
        TransportAddress a = c.getTransportAddress();
        String transport = a.getTransport() == Transport.TCP ? "tcp" : "udp";
        StringBuilder sb = new StringBuilder("candidate:")
                .append(c.getFoundation()).append(advertisedIp == null ? "" : "1").append(' ')
                .append(c.getParentComponent().getComponentID()).append(' ')
                .append(transport).append(' ')
                .append(advertisedIp == null ? c.getPriority() : c.getPriority() - 1).append(' ')
                .append(advertisedIp == null ? a.getHostAddress() : advertisedIp).append(' ')
                .append(a.getPort()).append(" typ ").append(typ);
        if (advertisedIp != null) {
            sb.append(" raddr ").append(a.getHostAddress()).append(" rport ").append(a.getPort());
        }
        if (a.getTransport() == Transport.TCP) {
            // The relay only accepts ICE-TCP connections (RFC 6544 section 4.5).
            sb.append(" tcptype passive");
        }
        return sb.append(" generation 0").toString();
    }

    /**
     * Parses a remote candidate; returns null for ones the relay does not use: TCP (the relay is
     * passive, the client's connection shows up as peer-reflexive), mDNS names (never resolved,
     * so no DNS lookups leave the relay), or malformed lines.
     */
    public static RemoteCandidate parseRemote(String sdp, Component component, String ufrag) {
        if (sdp == null) {
            return null;
        }
        String s = sdp.trim();
        if (s.startsWith("a=")) {
            s = s.substring(2);
        }
        if (!s.startsWith("candidate:")) {
            return null;
        }
        String[] f = s.substring("candidate:".length()).split(" ");
        if (f.length < 8 || !"typ".equals(f[6])) {
            return null;
        }
        try {
            int componentId = Integer.parseInt(f[1]);
            if (componentId != component.getComponentID()) {
                return null;
            }
            if (!"udp".equals(f[2].toLowerCase(Locale.ROOT))) {
                return null;
            }
            long priority = Long.parseLong(f[3]);
            String ip = f[4];
            if (!isIpLiteral(ip)) {
                return null;
            }
            int port = Integer.parseInt(f[5]);
            if (port <= 0 || port > 65535) {
                return null;
            }
            CandidateType type = CandidateType.parse(f[7]);
            TransportAddress addr = new TransportAddress(InetAddress.getByName(ip), port, Transport.UDP);
            RemoteCandidate rc = new RemoteCandidate(addr, component, type, f[0], priority, null, ufrag);
            return rc;
        } catch (RuntimeException | java.net.UnknownHostException e) {
            return null;
        }
    }

    /** True for dotted IPv4 or colon IPv6 text, so InetAddress never does a DNS lookup. */
    static boolean isIpLiteral(String ip) {
        if (ip.indexOf(':') >= 0) {
            return ip.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 || ch == ':' || ch == '.');
        }
        return ip.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    static boolean isPassiveTcp(LocalCandidate c) {
        return c.getTcpType() == CandidateTcpType.PASSIVE;
    }
}
