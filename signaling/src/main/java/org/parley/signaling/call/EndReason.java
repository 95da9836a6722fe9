package org.parley.signaling.call;

import java.util.Set;

/** Why a call ended for a device: the {@code reason} of {@code call.ended} (docs/protocol.md §5.3). */
public final class EndReason {

    public static final String HANGUP = "hangup";
    public static final String REJECTED = "rejected";
    public static final String CANCELLED = "cancelled";
    public static final String BUSY = "busy";
    public static final String UNAVAILABLE = "unavailable";
    public static final String NO_ANSWER = "no_answer";
    public static final String ANSWERED_ELSEWHERE = "answered_elsewhere";
    public static final String CONNECTION_LOST = "connection_lost";
    public static final String TRANSFERRED = "transferred";
    public static final String UPGRADED = "upgraded";
    public static final String MEDIA_FAILED = "media_failed";
    public static final String SERVER_SHUTDOWN = "server_shutdown";

    /** The reasons the server itself uses; client-chosen hangup reasons count as "other" in metrics. */
    public static final Set<String> KNOWN = Set.of(HANGUP, REJECTED, CANCELLED, BUSY, UNAVAILABLE, NO_ANSWER,
            ANSWERED_ELSEWHERE, CONNECTION_LOST, TRANSFERRED, UPGRADED, MEDIA_FAILED, SERVER_SHUTDOWN);

    private EndReason() {
    }
}
