package org.parley.relay.control;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one receiver asks of the video it gets (docs/relay.md, "Allocation"): how many
 * participants' cameras at most (last-N), whom it shows large, and per source a height cap or
 * "off" for a tile it does not show. The relay shares the receiver's bandwidth by these; see
 * {@code org.parley.relay.allocation.BandwidthAllocator}.
 *
 * @param lastN video from at most this many participants; -1 unlimited; null: the relay's
 *        {@code parley.relay.last-n}
 * @param pinned endpoints the user pinned: always among the N, at the highest layer that fits
 * @param onStage endpoints the layout shows large: as pinned, after them
 * @param sources per-source limits; at most one per (endpoint, kind)
 */
public record ReceiverConstraints(Integer lastN, List<String> pinned, List<String> onStage,
        List<SourceLimit> sources) {

    /** Above this many participants a last-N is no limit at all; larger values are refused as typos. */
    public static final int MAX_LAST_N = 1000;

    /** No constraints: the relay's defaults. */
    public static final ReceiverConstraints NONE = new ReceiverConstraints(null, List.of(), List.of(), List.of());

    public ReceiverConstraints {
        if (lastN != null && (lastN < -1 || lastN > MAX_LAST_N)) {
            throw new IllegalArgumentException("lastN must be -1 (unlimited) or 0.." + MAX_LAST_N + ", got " + lastN);
        }
        pinned = List.copyOf(pinned == null ? List.of() : pinned);
        onStage = List.copyOf(onStage == null ? List.of() : onStage);
        sources = List.copyOf(sources == null ? List.of() : sources);
        Set<String> seen = new HashSet<>();
        for (SourceLimit s : sources) {
            if (!seen.add(s.endpointId() + "\n" + s.kind())) {
                throw new IllegalArgumentException("two limits for the " + s.kind().name().toLowerCase(java.util.Locale.ROOT)
                        + " of " + s.endpointId());
            }
        }
    }

    /** The limit on one source, or null. */
    public SourceLimit limit(String endpointId, SourceKind kind) {
        for (SourceLimit s : sources) {
            if (s.endpointId().equals(endpointId) && s.kind() == kind) {
                return s;
            }
        }
        return null;
    }

    /**
     * A receiver's limit on one source of one endpoint.
     *
     * @param maxHeight highest picture height wanted, in pixels; 0 no limit
     * @param maxFrameRate frames per second wanted; 0 no limit. Of VP8 with temporal layers only
     *        those within it are forwarded (docs/relay.md, "Temporal layers"); H.264 goes whole
     * @param off send nothing of it (a tile not on screen)
     */
    public record SourceLimit(String endpointId, SourceKind kind, int maxHeight, int maxFrameRate, boolean off) {

        /** Taller than any camera or screen sends; larger values are refused as typos. */
        public static final int MAX_HEIGHT = 8640;
        public static final int MAX_FRAME_RATE = 240;

        public SourceLimit {
            if (endpointId == null || endpointId.isEmpty()) {
                throw new IllegalArgumentException("a source limit needs an endpoint id");
            }
            if (kind == null || kind == SourceKind.AUDIO) {
                throw new IllegalArgumentException("limits apply to video and screen; audio is never limited");
            }
            if (maxHeight < 0 || maxHeight > MAX_HEIGHT) {
                throw new IllegalArgumentException("maxHeight must be 0 (no limit) or 1.." + MAX_HEIGHT + ", got "
                        + maxHeight);
            }
            if (maxFrameRate < 0 || maxFrameRate > MAX_FRAME_RATE) {
                throw new IllegalArgumentException("maxFrameRate must be 0 (no limit) or 1.." + MAX_FRAME_RATE
                        + ", got " + maxFrameRate);
            }
        }
    }
}
