package org.parley.signaling.media;

/**
 * Where one device's relay connections live: a relay conference and the device's endpoint in it,
 * plus the context clients name it by ({@code callId} or {@code roomId}).
 *
 * @param conferenceId the relay conference
 * @param endpointId the device's endpoint (its session id)
 * @param contextField {@code callId} or {@code roomId}
 * @param contextId the call or room id
 * @param mayPublish false for listeners, who only receive
 */
public record RelayEndpoint(String conferenceId, String endpointId, String contextField, String contextId,
        boolean mayPublish) {
}
