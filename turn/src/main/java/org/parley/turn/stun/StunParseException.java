package org.parley.turn.stun;

/** Bytes that are not a well-formed STUN message or ChannelData frame. */
public final class StunParseException extends Exception {
    public StunParseException(String message) {
        super(message, null, false, false);
    }
}
