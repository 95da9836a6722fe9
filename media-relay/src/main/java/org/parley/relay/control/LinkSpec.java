package org.parley.relay.control;

/**
 * How a relay reaches a peer relay for one conference's link (cascading, docs/cluster.md
 * "Cascading"): given to both ends by the signaling node that spreads the conference.
 *
 * @param linkId names the link in every datagram; the same at both ends, unique on each relay
 * @param peerAddress the peer's link socket, "ip:port" ({@link RelayControl#linkAddress()})
 * @param keyingMaterial the link's SRTP keys and salts (client key, server key, client salt,
 *        server salt, 56 bytes for AEAD_AES_128_GCM); the same at both ends
 * @param initiator true at exactly one end of the link (it sends with the "server" half)
 */
public record LinkSpec(int linkId, String peerAddress, byte[] keyingMaterial, boolean initiator) {
}
