package org.parley.signaling.call;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.parley.signaling.wire.Request;

/** What one party sends: microphone, camera, screen share (signalled, not enforced, in 1:1 calls). */
final class MediaState {

    boolean audio = true;
    boolean video;
    boolean screen;

    MediaState(boolean video) {
        this.video = video;
    }

    /** Applies the booleans present in a request (all validated before any is applied). */
    void apply(Request r) {
        Boolean a = r.optBool("audio").orElse(null);
        Boolean v = r.optBool("video").orElse(null);
        Boolean s = r.optBool("screen").orElse(null);
        if (a != null) {
            audio = a;
        }
        if (v != null) {
            video = v;
        }
        if (s != null) {
            screen = s;
        }
    }

    void write(ObjectNode n) {
        n.put("audio", audio);
        n.put("video", video);
        n.put("screen", screen);
    }
}
