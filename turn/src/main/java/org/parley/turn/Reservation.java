package org.parley.turn;

/**
 * A relay port held for a later Allocate carrying RESERVATION-TOKEN (RFC 8656 §7.2, §14.9): the
 * odd port next to an EVEN-PORT allocation whose R bit was set. The socket stays bound meanwhile so
 * nobody else takes the port; unused reservations lapse after 30 seconds.
 */
record Reservation(long token, RelaySocket socket, long expiresAtMillis) {
    static final long LIFETIME_MILLIS = 30_000;
}
