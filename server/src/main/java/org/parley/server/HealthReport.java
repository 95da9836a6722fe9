package org.parley.server;

import java.util.Map;

/**
 * What {@code GET /health} answers: the server's state and each part's. Load balancers take any
 * status but {@code up} (HTTP 503) as "send no new calls here".
 */
public record HealthReport(PartState status, String version, Map<String, PartState> parts) {

    /** True when the server takes new work. */
    public boolean serving() {
        return status == PartState.UP;
    }
}
