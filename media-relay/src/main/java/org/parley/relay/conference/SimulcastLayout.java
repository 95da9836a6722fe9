package org.parley.relay.conference;

import java.util.List;
import java.util.Objects;
import org.parley.relay.sdp.PublishedTrack;

/**
 * The layers a published m-section has, from its SDP: one per rid of a=simulcast:send (RFC 8853,
 * SSRCs learned from the rtp-stream-id extension), one per SSRC of a=ssrc-group:SIM (SSRCs known
 * up front), else one.
 */
final class SimulcastLayout {

    private SimulcastLayout() {
    }

    /** The layers for {@code track}, keeping {@code previous} (and its state) when the layout is unchanged. */
    static Layer[] layers(PublishedTrack track, Layer[] previous) {
        boolean video = "video".equals(track.kind());
        List<String> rids = video ? track.rids() : List.of();
        List<Long> ssrcs = track.ssrcs();
        int count = !rids.isEmpty() ? rids.size() : video ? Math.max(1, ssrcs.size()) : 1;
        Layer[] out = previous;
        if (out == null || out.length != count || !sameRids(out, rids)) {
            out = new Layer[count];
            for (int i = 0; i < count; i++) {
                out[i] = new Layer(i, rids.isEmpty() ? null : rids.get(i), video);
            }
        }
        if (rids.isEmpty()) {
            for (int i = 0; i < Math.min(count, ssrcs.size()); i++) {
                out[i].setSsrc(ssrcs.get(i));
            }
        }
        return out;
    }

    private static boolean sameRids(Layer[] layers, List<String> rids) {
        for (int i = 0; i < layers.length; i++) {
            if (!Objects.equals(layers[i].rid(), rids.isEmpty() ? null : rids.get(i))) {
                return false;
            }
        }
        return true;
    }
}
