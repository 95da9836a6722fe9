package org.parley.turn;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.MessageIntegrity;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunMethod;
import org.parley.turn.stun.StunParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one STUN message from a client and routes it: Binding is answered at once (RFC 8489 §7.3),
 * every TURN request is authenticated first (RFC 8656 §6), indications go to the data path. All
 * answers given before authentication pass the per-source rate limit, and nothing is allocated for
 * an unauthenticated request.
 */
final class StunDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(StunDispatcher.class);

    private final TurnContext ctx;
    private final AllocateMethod allocate;
    private final RefreshMethod refresh;
    private final CreatePermissionMethod createPermission;
    private final ChannelBindMethod channelBind;
    private final TcpRelayMethods tcpRelay;

    StunDispatcher(TurnContext ctx) {
        this.ctx = ctx;
        this.allocate = new AllocateMethod(ctx);
        this.refresh = new RefreshMethod(ctx);
        this.createPermission = new CreatePermissionMethod(ctx);
        this.channelBind = new ChannelBindMethod(ctx);
        this.tcpRelay = new TcpRelayMethods(ctx);
    }

    TcpRelayMethods tcpRelay() {
        return tcpRelay;
    }

    /** Handles the readable bytes of {@code buf} as one STUN message; never releases {@code buf}. */
    void onStun(ClientLink link, ByteBuf buf) {
        StunMessage message;
        try {
            message = StunMessage.parse(buf);
        } catch (StunParseException e) {
            ctx.metrics().malformed();
            LOG.debug("dropping malformed STUN from {}: {}", link.fiveTuple(), e.getMessage());
            return;
        }
        // RFC 8489 §7.3: a FINGERPRINT that does not match means this is not STUN.
        if (!MessageIntegrity.fingerprintMatches(message)) {
            ctx.metrics().malformed();
            return;
        }
        switch (message.stunClass()) {
            case REQUEST -> onRequest(new StunRequest(link, message));
            case INDICATION -> onIndication(link, message, buf);
            default -> {
                // Responses are for clients; a server has no transactions of its own to match them to.
            }
        }
    }

    private void onRequest(StunRequest request) {
        StunMessage m = request.message;
        // RFC 8489 §6.3.1.1: unknown comprehension-required attributes -> 420 listing them.
        int[] unknown = new int[m.attributeCount()];
        int unknownCount = 0;
        for (int i = 0; i < m.attributeCount(); i++) {
            int type = m.attributeType(i);
            if (StunAttribute.isComprehensionRequired(type) && !StunAttribute.isKnown(type)) {
                unknown[unknownCount++] = type;
            }
        }
        if (unknownCount > 0) {
            if (allowUnauthenticated(request)) {
                int[] list = unknown;
                int n = unknownCount;
                request.fail(ErrorCode.UNKNOWN_ATTRIBUTE, w -> w.unknownAttributes(list, n));
            }
            return;
        }
        int method = m.method();
        if (method == StunMethod.BINDING) {
            onBinding(request);
            return;
        }
        if (method != StunMethod.ALLOCATE && method != StunMethod.REFRESH && method != StunMethod.CREATE_PERMISSION
                && method != StunMethod.CHANNEL_BIND && method != StunMethod.CONNECT
                && method != StunMethod.CONNECTION_BIND) {
            if (allowUnauthenticated(request)) {
                request.fail(ErrorCode.BAD_REQUEST);
            }
            return;
        }
        if (!authenticate(request)) {
            return;
        }
        switch (method) {
            case StunMethod.ALLOCATE -> allocate.handle(request);
            case StunMethod.REFRESH -> refresh.handle(request);
            case StunMethod.CREATE_PERMISSION -> createPermission.handle(request);
            case StunMethod.CHANNEL_BIND -> channelBind.handle(request);
            case StunMethod.CONNECT -> tcpRelay.connect(request);
            case StunMethod.CONNECTION_BIND -> tcpRelay.connectionBind(request);
            default -> request.fail(ErrorCode.BAD_REQUEST);
        }
    }

    /** RFC 8489 §7.3.1: the answer carries the source transport address as XOR-MAPPED-ADDRESS. */
    private void onBinding(StunRequest request) {
        if (!allowUnauthenticated(request)) {
            return;
        }
        InetSocketAddress source = request.source();
        request.succeed(w -> w.xorAddress(StunAttribute.XOR_MAPPED_ADDRESS, source));
    }

    /** RFC 8489 §9.2.4 checks; on failure the error is sent (rate-limited) and false returned. */
    private boolean authenticate(StunRequest request) {
        Authenticator.Result r = ctx.authenticator().authenticate(request.message, request.source().getAddress());
        if (r.ok()) {
            request.username = r.username();
            request.user = r.user();
            request.key = r.key();
            request.sha256 = MessageIntegrity.usesSha256(request.message);
            return true;
        }
        if (!"challenge".equals(r.reason())) {
            ctx.metrics().authFailure(r.reason());
            if (request.method() == StunMethod.ALLOCATE) {
                ctx.metrics().allocationFailed("auth");
            }
        }
        if (!allowUnauthenticated(request)) {
            return false;
        }
        if (r.error() == ErrorCode.UNAUTHENTICATED || r.error() == ErrorCode.STALE_NONCE) {
            // RFC 8489 §9.2.4: 401 and 438 carry REALM, a fresh NONCE and PASSWORD-ALGORITHMS.
            InetAddress client = request.source().getAddress();
            request.fail(r.error(), r.phrase(), w -> ctx.authenticator().writeChallenge(w, client));
        } else {
            request.fail(r.error(), r.phrase(), null);
        }
        return false;
    }

    private boolean allowUnauthenticated(StunRequest request) {
        if (ctx.rateLimiter().tryAcquire(request.source().getAddress(), ctx.now())) {
            return true;
        }
        ctx.metrics().rateLimited();
        return false;
    }

    /**
     * RFC 8656 §10.2: a Send indication relays DATA to XOR-PEER-ADDRESS if a permission allows it.
     * {@code buf} holds the datagram {@code message} was parsed from, at the same offsets from its
     * reader index; DATA leaves from there, so a datagram read into native memory is sent without
     * another copy.
     */
    private void onIndication(ClientLink link, StunMessage message, ByteBuf buf) {
        Allocation allocation = link.allocation;
        if (message.method() != StunMethod.SEND || allocation == null || allocation.tcp() != null) {
            return;
        }
        int dataIndex = message.indexOf(StunAttribute.DATA);
        int peerIndex = message.indexOf(StunAttribute.XOR_PEER_ADDRESS);
        if (dataIndex < 0 || peerIndex < 0) {
            ctx.metrics().malformed();
            return;
        }
        InetSocketAddress peer;
        try {
            peer = message.xorAddress(peerIndex);
        } catch (StunParseException e) {
            ctx.metrics().malformed();
            return;
        }
        allocation.relayToPeer(buf, buf.readerIndex() + message.valueOffset(dataIndex),
                message.valueLength(dataIndex), peer);
    }
}
