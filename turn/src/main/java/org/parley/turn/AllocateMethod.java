package org.parley.turn;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunParseException;
import org.parley.turn.stun.XorAddress;

/** The Allocate request (RFC 8656 §7.2), with RFC 6062 TCP allocations and RFC 8656 dual-stack. */
final class AllocateMethod {
    /** RFC 8656 §3.2 / §7.2: the default allocation lifetime. */
    static final long DEFAULT_LIFETIME_SECONDS = 600;
    private static final int UDP = 17;
    private static final int TCP = 6;

    private final TurnContext ctx;

    AllocateMethod(TurnContext ctx) {
        this.ctx = ctx;
    }

    void handle(StunRequest r) {
        try {
            allocate(r);
        } catch (StunParseException e) {
            reject(r, ErrorCode.BAD_REQUEST, "bad_request");
        }
    }

    private void allocate(StunRequest r) throws StunParseException {
        ClientLink link = r.link;
        StunMessage m = r.message;
        // 2. The 5-tuple already has an allocation: a retransmission gets the same answer, anything
        //    else 437 (Allocation Mismatch).
        Allocation existing = link.allocation;
        if (existing != null) {
            if (existing.allocateTransaction() != null && m.sameTransaction(existing.allocateTransaction())) {
                r.resend(existing.allocateResponse());
            } else {
                reject(r, ErrorCode.ALLOCATION_MISMATCH, "mismatch");
            }
            return;
        }
        // 3. REQUESTED-TRANSPORT must be present: UDP, or TCP over a TCP/TLS connection (RFC 6062 §5.1).
        byte[] transport = m.value(StunAttribute.REQUESTED_TRANSPORT);
        if (transport == null || transport.length != 4) {
            reject(r, ErrorCode.BAD_REQUEST, "bad_request");
            return;
        }
        int protocol = transport[0] & 0xFF;
        boolean tcpRelay = protocol == TCP;
        if (tcpRelay && !link.isStream()) {
            reject(r, ErrorCode.BAD_REQUEST, "bad_request");
            return;
        }
        if (protocol != UDP && !(tcpRelay && !ctx.config().noTcpRelay())) {
            reject(r, ErrorCode.UNSUPPORTED_TRANSPORT_PROTOCOL, "unsupported_transport");
            return;
        }
        // 4. DONT-FRAGMENT is understood: the JDK sends UDP with the kernel's path-MTU default (DF set).
        // 5./6. RESERVATION-TOKEN excludes EVEN-PORT and REQUESTED-ADDRESS-FAMILY.
        byte[] token = m.value(StunAttribute.RESERVATION_TOKEN);
        byte[] evenPort = m.value(StunAttribute.EVEN_PORT);
        byte[] requestedFamily = m.value(StunAttribute.REQUESTED_ADDRESS_FAMILY);
        byte[] additionalFamily = m.value(StunAttribute.ADDITIONAL_ADDRESS_FAMILY);
        if ((token != null && (evenPort != null || requestedFamily != null || token.length != 8))
                || (requestedFamily != null && additionalFamily != null)
                || (evenPort != null && evenPort.length != 1)) {
            reject(r, ErrorCode.BAD_REQUEST, "bad_request");
            return;
        }
        boolean wantV4 = true;
        boolean wantV6 = false;
        if (requestedFamily != null) {
            // RFC 8656 §7.2 step 7 / §18.10: 0x01 IPv4, 0x02 IPv6; anything else 440.
            int f = requestedFamily.length == 4 ? requestedFamily[0] & 0xFF : -1;
            if (f != XorAddress.FAMILY_IPV4 && f != XorAddress.FAMILY_IPV6) {
                reject(r, ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED, "family");
                return;
            }
            wantV4 = f == XorAddress.FAMILY_IPV4;
            wantV6 = !wantV4;
        }
        if (additionalFamily != null) {
            // RFC 8656 §18.11: ADDITIONAL-ADDRESS-FAMILY may only ask for IPv6.
            if (additionalFamily.length != 4 || (additionalFamily[0] & 0xFF) != XorAddress.FAMILY_IPV6 || tcpRelay) {
                reject(r, ErrorCode.BAD_REQUEST, "bad_request");
                return;
            }
            wantV6 = true;
        }
        InetAddress v4ip = wantV4 ? ctx.relayAddresses().forFamily(false) : null;
        InetAddress v6ip = wantV6 ? ctx.relayAddresses().forFamily(true) : null;
        boolean v6Failed = additionalFamily != null && v6ip == null;
        if ((wantV4 && v4ip == null) || (requestedFamily != null && wantV6 && v6ip == null)) {
            reject(r, ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED, "family");
            return;
        }
        // Quotas (RFC 8656 §7.2 step 8): per user 486, whole server 508.
        TurnConfig cfg = ctx.config();
        // Counted per user, not per credential: signaling mints a new credential for each session.
        if (cfg.userQuota() > 0 && ctx.table().countFor(r.user) >= cfg.userQuota()) {
            reject(r, ErrorCode.ALLOCATION_QUOTA_REACHED, "user_quota");
            return;
        }
        if (cfg.totalQuota() > 0 && ctx.table().size() >= cfg.totalQuota()) {
            reject(r, ErrorCode.INSUFFICIENT_CAPACITY, "total_quota");
            return;
        }
        long lifetime = lifetime(m, cfg);
        if (tcpRelay) {
            allocateTcp(r, wantV6 ? v6ip : v4ip, lifetime);
            return;
        }
        // Relayed sockets: from a reservation, an even port (R bit: also reserve the next), or any port.
        RelaySocket v4 = null;
        RelaySocket v6 = null;
        Long newToken = null;
        InetAddress primaryIp = v4ip != null ? v4ip : v6ip;
        RelaySocket primary;
        if (token != null) {
            Reservation reservation = ctx.table().takeReservation(bytesToLong(token));
            if (reservation == null) {
                // RFC 8656 §7.2 step 5: an unknown or lapsed token -> 508.
                reject(r, ErrorCode.INSUFFICIENT_CAPACITY, "reservation");
                return;
            }
            ctx.metrics().reservation("used");
            primary = reservation.socket();
            if (primary.localAddress().getAddress() instanceof Inet6Address) {
                v4ip = null;
            }
        } else if (evenPort != null && (evenPort[0] & 0x80) != 0) {
            RelayPortPool.EvenPair pair = ctx.ports().bindEvenPair(primaryIp);
            if (pair == null) {
                reject(r, ErrorCode.INSUFFICIENT_CAPACITY, "capacity");
                return;
            }
            newToken = ThreadLocalRandom.current().nextLong();
            ctx.metrics().reservation("made");
            ctx.table().addReservation(new Reservation(newToken, pair.odd(), ctx.now() + Reservation.LIFETIME_MILLIS));
            primary = pair.even();
        } else {
            primary = ctx.ports().bindUdp(primaryIp, evenPort != null);
            if (primary == null) {
                reject(r, ErrorCode.INSUFFICIENT_CAPACITY, "capacity");
                return;
            }
        }
        if (v4ip != null) {
            v4 = primary;
        } else {
            v6 = primary;
        }
        if (v4ip != null && v6ip != null && v6 == null) {
            v6 = ctx.ports().bindUdp(v6ip, false);
            if (v6 == null) {
                v4.close();
                reject(r, ErrorCode.INSUFFICIENT_CAPACITY, "capacity");
                return;
            }
        }
        UdpRelay relay4 = v4 == null ? null : open(v4);
        UdpRelay relay6 = v6 == null ? null : open(v6);
        Allocation allocation = new Allocation(link, r.username, r.user, relay4, relay6, null, cfg.maxBps(),
                ctx.metrics(), ctx.clock());
        if (relay4 != null) {
            relay4.receiver(allocation::relayToClient);
        }
        if (relay6 != null) {
            relay6.receiver(allocation::relayToClient);
        }
        ctx.table().add(allocation, ctx.now() + lifetime * 1000);
        Long reservedToken = newToken;
        // Counted before the response leaves, so whoever sees the response also sees the count.
        ctx.metrics().allocationCreated();
        byte[] response = r.succeed(w -> {
            if (relay4 != null) {
                w.xorAddress(StunAttribute.XOR_RELAYED_ADDRESS, relay4.advertised());
            }
            if (relay6 != null) {
                w.xorAddress(StunAttribute.XOR_RELAYED_ADDRESS, relay6.advertised());
            }
            w.uint32(StunAttribute.LIFETIME, lifetime);
            if (reservedToken != null) {
                w.bytes(StunAttribute.RESERVATION_TOKEN, longToBytes(reservedToken));
            }
            if (v6Failed) {
                // RFC 8656 §7.2 / §18.12: the IPv4 half succeeded, the IPv6 half did not.
                w.bytes(StunAttribute.ADDRESS_ERROR_CODE, addressError(XorAddress.FAMILY_IPV6,
                        ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED));
            }
            w.xorAddress(StunAttribute.XOR_MAPPED_ADDRESS, r.source());
        });
        allocation.rememberAllocate(m.transactionId(), response);
    }

    private void allocateTcp(StunRequest r, InetAddress ip, long lifetime) {
        TcpRelay relay = TcpRelay.open(ctx, ip);
        if (relay == null) {
            reject(r, ErrorCode.INSUFFICIENT_CAPACITY, "capacity");
            return;
        }
        Allocation allocation = new Allocation(r.link, r.username, r.user, null, null, relay, ctx.config().maxBps(),
                ctx.metrics(), ctx.clock());
        relay.attach(allocation);
        ctx.table().add(allocation, ctx.now() + lifetime * 1000);
        ctx.metrics().allocationCreated();
        byte[] response = r.succeed(w -> w.xorAddress(StunAttribute.XOR_RELAYED_ADDRESS, relay.advertised())
                .uint32(StunAttribute.LIFETIME, lifetime)
                .xorAddress(StunAttribute.XOR_MAPPED_ADDRESS, r.source()));
        allocation.rememberAllocate(r.message.transactionId(), response);
    }

    private UdpRelay open(RelaySocket socket) {
        return new UdpRelay(socket, ctx.relayAddresses().advertised(socket.localAddress()));
    }

    /**
     * RFC 8656 §7.2: min(requested, maximum), but never below the default; absent means default.
     */
    static long lifetime(StunMessage m, TurnConfig cfg) throws StunParseException {
        long requested = m.uint32(StunAttribute.LIFETIME, DEFAULT_LIFETIME_SECONDS);
        return Math.max(DEFAULT_LIFETIME_SECONDS, Math.min(requested, cfg.maxAllocateLifetimeSeconds()));
    }

    private void reject(StunRequest r, int code, String reason) {
        ctx.metrics().allocationFailed(reason);
        r.fail(code);
    }

    private static byte[] addressError(int family, int code) {
        byte[] reason = ErrorCode.reason(code).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] v = new byte[4 + reason.length];
        v[0] = (byte) family;
        v[2] = (byte) (code / 100);
        v[3] = (byte) (code % 100);
        System.arraycopy(reason, 0, v, 4, reason.length);
        return v;
    }

    static long bytesToLong(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    static byte[] longToBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }
}
