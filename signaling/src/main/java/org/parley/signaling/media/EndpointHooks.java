package org.parley.signaling.media;

import org.parley.signaling.session.Session;

/** What calls and rooms want to hear from the relay about one endpoint; run on the loop. */
public interface EndpointHooks {

    EndpointHooks NONE = new EndpointHooks() { };

    default void activeSpeaker(RelayEndpoint endpoint, Session session, String speakerEndpointId) {
    }

    default void transportFailed(RelayEndpoint endpoint, Session session, String reason) {
    }
}
