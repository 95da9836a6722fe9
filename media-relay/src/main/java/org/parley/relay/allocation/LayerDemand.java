package org.parley.relay.allocation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Upstream follows demand: which layers of each publisher's source some receiver needs, so that
 * the publisher's encoder stops spending its uplink and CPU on a layer nobody gets (as Jitsi's
 * sender-side constraints). A layer is needed when some receiver's target is that layer or a
 * higher one (a receiver that steps down needs the lower layers still coming). The lowest layer is
 * always needed: a receiver that joins must find something to start from without waiting for the
 * publisher to be asked.
 *
 * @param <K> what names a source
 */
public final class LayerDemand<K> {

    private final Map<K, List<Boolean>> told = new HashMap<>();

    /**
     * Records the highest layer any receiver of {@code source} targets now.
     *
     * @param highestTarget -1 when nobody receives it
     * @return the layers needed when that changed since the publisher was last told (a publisher
     *         starts with every layer on), else null; null always for a one-layer source
     */
    public synchronized List<Boolean> update(K source, int layerCount, int highestTarget) {
        if (layerCount <= 1) {
            return null;
        }
        List<Boolean> needed = new ArrayList<>(layerCount);
        for (int i = 0; i < layerCount; i++) {
            needed.add(i == 0 || i <= highestTarget);
        }
        List<Boolean> before = told.get(source);
        if (before == null) {
            before = new ArrayList<>();
            for (int i = 0; i < layerCount; i++) {
                before.add(true);
            }
        }
        if (before.equals(needed)) {
            return null;
        }
        told.put(source, List.copyOf(needed));
        return List.copyOf(needed);
    }

    /** The source is gone (withdrawn, its publisher left). */
    public synchronized void forget(K source) {
        told.remove(source);
    }

    /** Forgets every source not in {@code live}. */
    public synchronized void retain(java.util.Collection<K> live) {
        told.keySet().retainAll(live);
    }
}
