package org.parley.relay.allocation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.ReceiverConstraints.SourceLimit;
import org.parley.relay.control.SourceKind;

/**
 * Which of a receiver's video streams it gets at all, in what order of priority, and how high
 * each may go (docs/relay.md, "Allocation"):
 * <ol>
 * <li>streams the receiver turned {@code off} get nothing;</li>
 * <li>screen shares come first (the content the meeting is about; outside last-N);</li>
 * <li>cameras: at most N participants, pinned ones first, then those on stage, then the most
 * recent speakers, then the rest in the order they joined;</li>
 * <li>pinned and on-stage cameras, or the active speaker when the receiver named neither, are the
 * stage: they may take their highest layer. The others are thumbnails: the layer their maxHeight
 * allows, else the lowest, when the receiver has a stage; as high as fits when it has none (a
 * receiver that says nothing keeps getting full quality, as before allocation existed).</li>
 * </ol>
 */
final class VideoSelection {

    /** Priority tiers, in order of importance. */
    enum Tier { SCREEN, STAGE, THUMBNAIL }

    /** A stream the receiver gets, with the highest layer it may have. */
    record Selected(AllocatableStream stream, Tier tier, int maxLayer) {
    }

    private VideoSelection() {
    }

    /**
     * @param video the receiver's video and screen streams, in the order their publishers joined
     * @param lastN the effective N, -1 unlimited
     * @param speakers most recent first
     * @return the streams to forward, most important first; every other stream is to be paused
     */
    static List<Selected> select(List<AllocatableStream> video, ReceiverConstraints c, int lastN,
            List<String> speakers) {
        List<Selected> out = new ArrayList<>();
        for (AllocatableStream s : video) {
            SourceLimit limit = c.limit(s.publisherId(), s.kind());
            if (s.kind() == SourceKind.SCREEN && (limit == null || !limit.off())) {
                out.add(new Selected(s, Tier.SCREEN, layerCap(s, limit)));
            }
        }
        Set<String> order = new LinkedHashSet<>(c.pinned());
        order.addAll(c.onStage());
        order.addAll(speakers);
        List<AllocatableStream> cameras = new ArrayList<>();
        for (AllocatableStream s : video) {
            SourceLimit limit = c.limit(s.publisherId(), s.kind());
            if (s.kind() == SourceKind.VIDEO && (limit == null || !limit.off())) {
                cameras.add(s);
            }
        }
        List<String> ranked = new ArrayList<>(order);
        // stable: those never named keep their join order behind those named
        cameras.sort(Comparator.comparingInt(s -> {
            int i = ranked.indexOf(s.publisherId());
            return i < 0 ? Integer.MAX_VALUE : i;
        }));
        boolean stageNamed = !c.pinned().isEmpty() || !c.onStage().isEmpty();
        String speaker = speakers.isEmpty() ? null : speakers.get(0);
        int taken = 0;
        for (AllocatableStream s : cameras) {
            if (lastN >= 0 && taken >= lastN) {
                break;
            }
            taken++;
            SourceLimit limit = c.limit(s.publisherId(), s.kind());
            boolean stage = stageNamed ? c.pinned().contains(s.publisherId()) || c.onStage().contains(s.publisherId())
                    : s.publisherId().equals(speaker);
            if (stage) {
                out.add(new Selected(s, Tier.STAGE, layerCap(s, limit)));
            } else if (stageNamed && (limit == null || limit.maxHeight() == 0)) {
                out.add(new Selected(s, Tier.THUMBNAIL, 0));
            } else {
                out.add(new Selected(s, Tier.THUMBNAIL, layerCap(s, limit)));
            }
        }
        out.sort(Comparator.comparing(Selected::tier));
        return out;
    }

    /**
     * The highest layer whose height is within the limit's maxHeight. A layer's height unknown yet
     * is taken as half the next higher one's (simulcast layers scale by 2, docs/relay.md); with no
     * height known at all only the lowest layer is sure to be small enough.
     */
    static int layerCap(AllocatableStream s, SourceLimit limit) {
        int top = s.layerCount() - 1;
        if (limit == null || limit.maxHeight() == 0) {
            return top;
        }
        int[] heights = new int[s.layerCount()];
        for (int i = top; i >= 0; i--) {
            int h = s.layerHeight(i);
            heights[i] = h > 0 ? h : i < top && heights[i + 1] > 0 ? heights[i + 1] / 2 : 0;
        }
        for (int i = top; i > 0; i--) {
            if (heights[i] > 0 && heights[i] <= limit.maxHeight()) {
                return i;
            }
        }
        return 0;
    }
}
