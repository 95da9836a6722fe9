package org.parley.signaling.call;

import org.parley.signaling.cluster.RemoteDevice;

/**
 * An answered one-to-one call as its owner writes it for the other nodes (docs/cluster.md "Calls
 * in Redis"): enough for a node to take the call over when its owner dies. The relay conference
 * is named after the call ({@link Call#conferenceId()}) and its endpoints after the parties, so
 * they need no field of their own: the new owner finds them where they are.
 *
 * @param state the call's wire state ({@code connecting} or {@code active})
 * @param transport {@code p2p} or {@code relay}
 * @param callerDevice the caller's active device and the node its WebSocket is connected to
 * @param calleeDevice the callee's active device, likewise
 * @param callerAudio what the caller sends (mute state), and so on for each flag
 * @param callerKey the identity key the caller's active device gave for this call (docs/protocol.md
 *     §12, wire form), null for none; set on an end-to-end encrypted call, whose taker needs it
 * @param calleeKey the callee's, likewise
 */
public record StoredCall(String id, String owner, String callerUser, String calleeUser, String media,
        String transport, String state, RemoteDevice callerDevice, RemoteDevice calleeDevice,
        boolean callerAudio, boolean callerVideo, boolean callerScreen,
        boolean calleeAudio, boolean calleeVideo, boolean calleeScreen, String callerKey, String calleeKey) {

    /** A call whose devices gave no identity key. */
    public StoredCall(String id, String owner, String callerUser, String calleeUser, String media,
            String transport, String state, RemoteDevice callerDevice, RemoteDevice calleeDevice,
            boolean callerAudio, boolean callerVideo, boolean callerScreen,
            boolean calleeAudio, boolean calleeVideo, boolean calleeScreen) {
        this(id, owner, callerUser, calleeUser, media, transport, state, callerDevice, calleeDevice,
                callerAudio, callerVideo, callerScreen, calleeAudio, calleeVideo, calleeScreen, null, null);
    }

    /** The same call run by {@code node} (which took it over), every other field kept. */
    public StoredCall ownedBy(String node) {
        return new StoredCall(id, node, callerUser, calleeUser, media, transport, state, callerDevice, calleeDevice,
                callerAudio, callerVideo, callerScreen, calleeAudio, calleeVideo, calleeScreen, callerKey, calleeKey);
    }

    /** The relay conference of the call (as {@link Call#conferenceId()}). */
    public String conference() {
        return "call-" + id;
    }
}
