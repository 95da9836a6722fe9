package org.parley.loadtest.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which simulcast layer one receiver got of each publisher's camera, second by second since the
 * run started: the packets and bytes of each layer in each second. Read from what arrives (the
 * layer each sender writes in its payload), so it shows what the relay chose for this receiver
 * and what its downlink let through. One receive thread records; any thread may read.
 */
public final class ReceivedLayers {

    /** Layers a simulcast camera sends (rids q, h, f). */
    public static final int LAYERS = 3;

    private final long startNanos;
    /** Per publisher, per second: packets of each layer, then the bytes of all. */
    private final Map<String, List<long[]>> seconds = new LinkedHashMap<>();

    /** @param startNanos second 0 begins here (the scenario's start) */
    public ReceivedLayers(long startNanos) {
        this.startNanos = startNanos;
    }

    /** One packet of {@code layer} from {@code publisher}, {@code bytes} long, arrived at {@code nowNanos}. */
    public synchronized void record(String publisher, int layer, int bytes, long nowNanos) {
        if (layer < 0 || layer >= LAYERS) {
            return;
        }
        int second = (int) Math.max(0, (nowNanos - startNanos) / 1_000_000_000L);
        List<long[]> list = seconds.computeIfAbsent(publisher, k -> new ArrayList<>());
        while (list.size() <= second) {
            list.add(new long[LAYERS + 1]);
        }
        long[] s = list.get(second);
        s[layer]++;
        s[LAYERS] += bytes;
    }

    /**
     * Per publisher: {@code layers}, one character a second (the layer most packets of that second
     * came from, {@code -} for none), and {@code kbit/s}, what arrived of that camera each second.
     */
    public synchronized Map<String, Map<String, Object>> timelines() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        seconds.forEach((publisher, list) -> {
            StringBuilder layers = new StringBuilder();
            List<Long> kbps = new ArrayList<>();
            for (long[] s : list) {
                layers.append(mostPackets(s));
                kbps.add(s[LAYERS] * 8 / 1000);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layers", layers.toString());
            m.put("kbit/s", kbps);
            out.put(publisher, m);
        });
        return out;
    }

    private static char mostPackets(long[] s) {
        int best = -1;
        for (int i = 0; i < LAYERS; i++) {
            if (s[i] > 0 && (best < 0 || s[i] >= s[best])) {
                best = i;
            }
        }
        return best < 0 ? '-' : (char) ('0' + best);
    }
}
