package org.parley.relay.sdp;

import java.util.ArrayList;
import java.util.List;
import org.parley.relay.control.RelayException;

/**
 * A parsed SDP (RFC 8866): session-level lines and media sections, each kept as raw lines with
 * accessors for the attributes WebRTC negotiation needs (RFC 8829, RFC 8843, RFC 8839).
 */
public final class SessionDescription {

    private static final int MAX_SDP_LENGTH = 64 * 1024;
    private static final int MAX_MEDIA_SECTIONS = 64;

    private final List<String> sessionLines;
    private final List<MediaSection> media;

    private SessionDescription(List<String> sessionLines, List<MediaSection> media) {
        this.sessionLines = sessionLines;
        this.media = media;
    }

    /** Parses SDP text; throws {@link RelayException} with BAD_SDP when it is not usable SDP. */
    public static SessionDescription parse(String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw bad("empty SDP");
        }
        if (sdp.length() > MAX_SDP_LENGTH) {
            throw bad("SDP longer than " + MAX_SDP_LENGTH + " characters");
        }
        List<String> session = new ArrayList<>();
        List<MediaSection> media = new ArrayList<>();
        MediaSection current = null;
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != '=') {
                throw bad("not an SDP line: " + abbreviate(line));
            }
            if (line.startsWith("m=")) {
                if (media.size() >= MAX_MEDIA_SECTIONS) {
                    throw bad("more than " + MAX_MEDIA_SECTIONS + " media sections");
                }
                current = MediaSection.parseMLine(line);
                media.add(current);
            } else if (current == null) {
                session.add(line);
            } else {
                current.lines().add(line);
            }
        }
        if (session.isEmpty() || !session.get(0).equals("v=0")) {
            throw bad("SDP must start with v=0");
        }
        return new SessionDescription(session, media);
    }

    static RelayException bad(String message) {
        return new RelayException(RelayException.Reason.BAD_SDP, message);
    }

    /**
     * The text before the first {@code separator} (all of it when there is none). Unlike
     * {@code split(...)[0]} it never fails: a value made only of separators ("/", " ") splits into
     * no fields at all, which a fuzzer found in an extmap id and an m= line's port.
     */
    static String firstField(String value, char separator) {
        int at = value.indexOf(separator);
        return at < 0 ? value : value.substring(0, at);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    public List<MediaSection> media() {
        return media;
    }

    /** A session-level attribute value ("a=name:value"), or null. */
    public String sessionAttribute(String name) {
        return MediaSection.attribute(sessionLines, name);
    }

    /** A media-level attribute, falling back to session level (RFC 8866 section 5.13). */
    public String attribute(MediaSection m, String name) {
        String v = m.attribute(name);
        return v != null ? v : sessionAttribute(name);
    }
}
