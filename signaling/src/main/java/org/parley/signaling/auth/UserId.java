package org.parley.signaling.auth;

import java.util.regex.Pattern;

/**
 * What a user id (the token's {@code sub}, {@code call.invite}'s {@code to}) may be, as
 * docs/protocol.md §3.1 defines it: 1 to 128 characters, each a letter, mark, digit, punctuation
 * or symbol. Operators' backends use e-mail addresses, numbers, UUIDs and names in any script, so
 * those all pass; spaces, control and format characters (which can hide or reorder text in another
 * user's screen) and an empty id do not.
 */
public final class UserId {

    /** Longest user id, in characters (Unicode code points). */
    public static final int MAX_LENGTH = 128;
    /** The rule as a regular expression; {@code matches()} against the whole id. */
    public static final Pattern PATTERN = Pattern.compile("[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}]{1," + MAX_LENGTH + "}");
    /** The rule in words, for error messages. */
    public static final String RULE = "1-" + MAX_LENGTH + " letters, digits, punctuation or symbols, no spaces";

    private UserId() {
    }

    public static boolean isValid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }
}
