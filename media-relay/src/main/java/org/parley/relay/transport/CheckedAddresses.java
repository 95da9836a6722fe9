package org.parley.relay.transport;

import java.beans.PropertyChangeEvent;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.ice4j.StunMessageEvent;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidatePairState;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.message.Message;

/**
 * Lets the session receive from every address that sent it an authenticated connectivity check,
 * not only from those its own checks have proved.
 *
 * <p>Why: ice4j's component socket drops every datagram from a remote address until the relay's
 * own check of a pair with that address SUCCEEDED. The relay is the controlled agent; the browser's
 * check of the same pair succeeds first (the relay answers it at once, while the relay's triggered
 * check waits for ice4j's pacer and its answer), and a browser that is the DTLS client sends its
 * ClientHello as soon as its side of the pair is valid (RFC 8445 section 12.1 lets an agent send
 * on any valid pair; RFC 5763 section 5: the active side starts the handshake). That first flight
 * was lost in a window of tens of milliseconds, and the browser resent it only when its
 * retransmission timer fired: 50 ms in Chromium once it has an RTT estimate, one second before
 * (RFC 6347 section 4.2.4.1), which is the 1.2 s join seen on real networks (docs/relay.md).
 *
 * <p>A binding request that passed ice4j's MESSAGE-INTEGRITY check with this session's password
 * (RFC 8445 section 7.3, RFC 8489 section 9.1.3) proves the address belongs to the peer that got
 * the password over signaling, which is the proof a succeeded check would give for receiving. Media
 * stays bound to the selected pair (PeerTransport) and DTLS to the SDP fingerprint.
 *
 * <p>ice4j offers no call to allow an address; its component socket learns them from pair state
 * events only, so one such event is handed to it for a pair naming the checked address.
 */
final class CheckedAddresses {

    private final Agent agent;
    private final Component component;
    private final Set<TransportAddress> allowed = ConcurrentHashMap.newKeySet();

    CheckedAddresses(Agent agent, Component component) {
        this.agent = agent;
        this.component = component;
        // ice4j's STUN stack hands requests to listeners only after their USERNAME and
        // MESSAGE-INTEGRITY were validated (an invalid one gets an error response instead).
        agent.getStunStack().addRequestListener(this::onRequest);
    }

    private void onRequest(StunMessageEvent event) {
        Message m = event.getMessage();
        if (m.getMessageType() != Message.BINDING_REQUEST || m.getAttribute(Attribute.MESSAGE_INTEGRITY) == null
                || !(m.getAttribute(Attribute.USERNAME) instanceof UsernameAttribute user)) {
            return;
        }
        // The USERNAME is "<our ufrag>:<peer ufrag>" (RFC 8445 section 7.2.2): a check for this session.
        String username = new String(user.getUsername(), StandardCharsets.UTF_8);
        if (!username.startsWith(agent.getLocalUfrag() + ":")) {
            return;
        }
        TransportAddress remote = event.getRemoteAddress();
        if (remote != null && allowed.add(remote)) {
            allow(remote);
        }
    }

    private void allow(TransportAddress remote) {
        LocalCandidate local = component.getLocalCandidates().stream()
                .filter(c -> c.getTransport() == remote.getTransport()).findFirst().orElse(null);
        if (local == null) {
            return;
        }
        RemoteCandidate peer = new RemoteCandidate(remote, component, CandidateType.PEER_REFLEXIVE_CANDIDATE,
                "checked", 0, null);
        component.getComponentSocket().propertyChange(new PropertyChangeEvent(new CandidatePair(local, peer),
                IceMediaStream.PROPERTY_PAIR_STATE_CHANGED, CandidatePairState.IN_PROGRESS,
                CandidatePairState.SUCCEEDED));
    }
}
