package org.parley.relay.allocation;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.parley.relay.allocation.VideoSelection.Selected;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.SourceKind;

/**
 * Shares one receiver's downlink estimate across what it receives (docs/relay.md, "Allocation"):
 * audio always; then, in {@link VideoSelection}'s order, every selected video its lowest layer
 * while the budget lasts (more people visible beats one sharper picture), the first one even
 * beyond it; then each, in the same order, up to the highest layer it may have that fits. What
 * does not fit is paused.
 *
 * <p>Hysteresis, so that a receiver near a layer's bitrate does not flap between two layers (each
 * switch costs a keyframe): a stream steps down as soon as its layer no longer fits, but steps up
 * only when the higher layer fits with {@link #UP_MARGIN} to spare, and has for
 * {@link #UP_HOLD_MILLIS} without a break. The hold applies only where bandwidth held the stream
 * back; one that rises because the receiver's layout changed (pinned, spoke) rises at once.
 *
 * <p>One instance per receiver; {@link #allocate} runs on the relay's timer thread.
 */
public final class BandwidthAllocator {

    /**
     * Headroom a higher layer needs over its bitrate: layer bitrates are measured over one second
     * and a keyframe is several times a delta frame, so a layer that fits exactly would overrun the
     * link at each keyframe (Jitsi and LiveKit use margins of 10-30 %).
     */
    static final double UP_MARGIN = 0.15;
    /**
     * How long a higher layer must keep fitting before the stream steps up: longer than the
     * estimator's own swings (a probe or one lucky feedback interval), short enough that a link
     * that really got faster is used within the 10 s.
     */
    static final long UP_HOLD_MILLIS = 2_000;

    private final Clock clock;
    private final Map<AllocatableStream, StreamState> states = new HashMap<>();
    private long probeTargetBps;

    /** What the allocator remembers of a stream between runs. */
    private static final class StreamState {
        /** Last measured bitrate of each layer: a layer the publisher stopped sending keeps its cost. */
        long[] knownBps = new long[0];
        /** Since when a higher layer than the current one has fitted; -1 none. */
        long upSinceMillis = -1;
        /** Whether the last run held the stream below what it may have for lack of bandwidth. */
        boolean heldByBandwidth;
    }

    public BandwidthAllocator(Clock clock) {
        this.clock = clock;
    }

    /**
     * Chooses and sets the layer of each stream.
     *
     * @param streams everything the receiver gets, audio included, in its publishers' join order
     * @param estimateBps the receiver's downlink estimate; 0 or less: unknown, nothing is limited
     * @param relayLastN the relay's last-N ({@code parley.relay.last-n}), used unless the
     *        constraints name the receiver's own; -1 unlimited
     * @param speakers the conference's speakers, most recent first
     * @return the layer chosen per stream, -1 paused
     */
    public synchronized Map<AllocatableStream, Integer> allocate(List<? extends AllocatableStream> streams,
            long estimateBps, ReceiverConstraints constraints, int relayLastN, List<String> speakers) {
        int lastN = constraints.lastN() != null ? constraints.lastN() : relayLastN;
        long now = clock.millis();
        long budget = estimateBps <= 0 ? Long.MAX_VALUE : estimateBps;
        Map<AllocatableStream, Integer> chosen = new LinkedHashMap<>();
        List<AllocatableStream> video = new ArrayList<>();
        for (AllocatableStream s : streams) {
            if (s.kind() == SourceKind.AUDIO) {
                chosen.put(s, 0);
                budget -= cost(s, 0);
            } else {
                video.add(s);
                chosen.put(s, -1);
            }
        }
        states.keySet().retainAll(chosen.keySet());
        List<Selected> selected = VideoSelection.select(video, constraints, lastN, speakers);
        Selected heldBack = null;
        // Pass 1: the lowest layer of each, most important first, while the budget lasts. The
        // most important one gets it even when it does not fit: a poor picture of what the
        // receiver looks at beats none, and its packets keep the estimate measuring the link
        // (a receiver with nothing but audio shows nothing of what its link carries).
        boolean first = true;
        for (Selected s : selected) {
            long c = cost(s.stream(), 0);
            if (c <= budget || first) {
                first = false;
                chosen.put(s.stream(), 0);
                budget -= c;
            }
        }
        // Pass 2: each, in the same order, as high as it may go and the budget allows.
        for (Selected s : selected) {
            AllocatableStream stream = s.stream();
            StreamState st = state(stream);
            int at = chosen.get(stream);
            int current = stream.targetLayer();
            if (at < 0) {
                st.heldByBandwidth = true;
                heldBack = heldBack == null ? s : heldBack;
                continue;
            }
            int best = at;
            for (int layer = at + 1; layer <= s.maxLayer(); layer++) {
                long extra = cost(stream, layer) - cost(stream, at);
                long needed = layer > current ? extra + (long) (cost(stream, layer) * UP_MARGIN) : extra;
                if (needed <= budget) {
                    best = layer;
                }
            }
            if (best < s.maxLayer() && heldBack == null) {
                heldBack = s;
            }
            int wanted = best;
            if (wanted > current && current >= 0 && st.heldByBandwidth) {
                if (st.upSinceMillis < 0) {
                    st.upSinceMillis = now;
                }
                if (now - st.upSinceMillis < UP_HOLD_MILLIS) {
                    wanted = Math.max(at, Math.min(current, best));
                }
            } else if (wanted <= current) {
                st.upSinceMillis = -1;
            }
            budget -= cost(stream, wanted) - cost(stream, at);
            chosen.put(stream, wanted);
            st.heldByBandwidth = wanted < s.maxLayer();
            if (wanted == best && wanted > current) {
                st.upSinceMillis = -1;
            }
        }
        probeTargetBps = heldBack == null || estimateBps <= 0 ? 0
                : probeTarget(heldBack, chosen.get(heldBack.stream()), estimateBps - budget);
        for (Map.Entry<AllocatableStream, Integer> e : chosen.entrySet()) {
            if (e.getKey().targetLayer() != e.getValue()) {
                e.getKey().setTargetLayer(e.getValue());
            }
        }
        return chosen;
    }

    /**
     * The downlink rate the last run would have needed to give the most important stream it held
     * back for bandwidth the highest layer it may have: what it allocated, plus that layer's extra
     * cost with the {@link #UP_MARGIN} a step up needs. 0 when nothing was held back, or the
     * estimate was unknown. What a probe of the receiver's link aims at (docs/relay.md,
     * "How the estimate drives allocation"): a probe at the wanted layer's rate measures the
     * link up to there (its result is the lower of the rate sent and the rate received), so one
     * probe can take a receiver from the lowest layer straight back to the highest.
     */
    public synchronized long probeTargetBps() {
        return probeTargetBps;
    }

    private long probeTarget(Selected held, int at, long allocatedBps) {
        long top = cost(held.stream(), held.maxLayer());
        long now = at < 0 ? 0 : cost(held.stream(), at);
        return allocatedBps + top - now + (long) (top * UP_MARGIN);
    }

    /**
     * What forwarding the layer costs: its measured bitrate, or the last one measured while it
     * arrived (a layer the publisher suspended because nobody needed it is not free to ask back).
     */
    private long cost(AllocatableStream s, int layer) {
        StreamState st = state(s);
        if (st.knownBps.length != s.layerCount()) {
            st.knownBps = java.util.Arrays.copyOf(st.knownBps, s.layerCount());
        }
        long now = s.layerBitrateBps(layer);
        if (now > 0) {
            st.knownBps[layer] = now;
        }
        return st.knownBps[layer];
    }

    private StreamState state(AllocatableStream s) {
        return states.computeIfAbsent(s, k -> new StreamState());
    }
}
