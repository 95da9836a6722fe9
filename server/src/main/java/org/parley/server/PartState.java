package org.parley.server;

import java.util.Locale;

/** What /health reports for the server and each of its parts. */
public enum PartState {
    STARTING,
    UP,
    DRAINING,
    STOPPED,
    DISABLED,
    /** Only for a node this one drives (the remote relay): its last request got no answer in time. */
    UNREACHABLE;

    /** Lower-case, as in the /health JSON. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
