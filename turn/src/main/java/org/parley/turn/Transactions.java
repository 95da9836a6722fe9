package org.parley.turn;

import java.util.concurrent.ThreadLocalRandom;

/** Transaction ids for messages the server originates (RFC 8489 §6: 96 random bits). */
final class Transactions {
    private Transactions() {
    }

    static byte[] newId() {
        byte[] id = new byte[12];
        ThreadLocalRandom.current().nextBytes(id);
        return id;
    }
}
