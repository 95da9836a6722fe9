package org.parley.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The console table of a simulcast run: per receiver and publisher, the layer it got each second
 * (one character a second, as {@code ReceivedLayers} renders it) and the mean kbit/s of that
 * camera over the last seconds.
 */
public final class LayerTable {

    /** Seconds the mean rate is taken over, at the end of the run (the settled state). */
    static final int LAST_SECONDS = 5;

    private LayerTable() {
    }

    /**
     * @param layers    receiver -> publisher -> {"layers": String, "kbit/s": List of numbers}, as
     *                  the conference scenario's summary holds them
     * @param estimates receiver -> the relay's downlink estimate each second (kbit/s, -1 unread);
     *                  empty when the relay's API was not read
     */
    public static List<String> lines(Map<String, Object> layers, Map<String, Object> estimates) {
        List<String> out = new ArrayList<>();
        out.add("layers received (a character a second from the start: 0, 1, 2 the simulcast layer most packets"
                + " came from, - none)");
        out.add(String.format(Locale.ROOT, "%-28s %-28s %8s %9s  %s", "receiver", "publisher", "kbit/s*",
                "relay est*", "layers"));
        layers.forEach((receiver, byPublisher) -> ((Map<?, ?>) byPublisher).forEach((publisher, t) -> {
            Map<?, ?> timeline = (Map<?, ?>) t;
            Object est = estimates.get(receiver);
            long e = est == null ? -1 : meanOfLast((List<?>) est);
            out.add(String.format(Locale.ROOT, "%-28s %-28s %8d %9s  %s", receiver, publisher,
                    meanOfLast((List<?>) timeline.get("kbit/s")), e < 0 ? "-" : Long.toString(e),
                    timeline.get("layers")));
        }));
        out.add("* mean of the last " + LAST_SECONDS + " s; relay est: the relay's downlink estimate for the receiver"
                + " (--relay-api-secret)");
        return out;
    }

    /** Mean of the last seconds' values that were read (-1 marks a second not read); -1 if none. */
    private static long meanOfLast(List<?> perSecond) {
        long sum = 0;
        int n = 0;
        for (Object k : perSecond.subList(Math.max(0, perSecond.size() - LAST_SECONDS), perSecond.size())) {
            long v = ((Number) k).longValue();
            if (v >= 0) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? -1 : sum / n;
    }
}
