package org.parley.signaling.e2ee;

import org.parley.signaling.session.Session;
import org.parley.signaling.wire.Request;

/**
 * Delivers an {@code e2ee.key} message within one kind of context (a room, or a one-to-one call)
 * to the one device it is addressed to, or refuses it with a typed error before sending anything.
 */
@FunctionalInterface
public interface KeyCourier {

    void deliver(Session from, Request r, String payload);
}
