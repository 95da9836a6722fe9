package org.parley.relay.sdp;

import java.util.ArrayList;
import java.util.List;

/** One "m=" section of an SDP and its lines (RFC 8866 section 5.14). */
public final class MediaSection {

    private final String kind;
    private final int port;
    private final String protocol;
    private final List<String> formats;
    private final List<String> lines = new ArrayList<>();

    MediaSection(String kind, int port, String protocol, List<String> formats) {
        this.kind = kind;
        this.port = port;
        this.protocol = protocol;
        this.formats = formats;
    }

    static MediaSection parseMLine(String line) {
        String[] f = line.substring(2).split(" ");
        if (f.length < 4) {
            throw SessionDescription.bad("bad m= line");
        }
        int port;
        try {
            port = Integer.parseInt(SessionDescription.firstField(f[1], '/'));
        } catch (NumberFormatException e) {
            throw SessionDescription.bad("bad port in m= line");
        }
        List<String> formats = new ArrayList<>();
        for (int i = 3; i < f.length; i++) {
            formats.add(f[i]);
        }
        return new MediaSection(f[0], port, f[2], formats);
    }

    public String kind() {
        return kind;
    }

    public int port() {
        return port;
    }

    public String protocol() {
        return protocol;
    }

    public List<String> formats() {
        return formats;
    }

    List<String> lines() {
        return lines;
    }

    /** The value of the first "a=name:value" (or "" for a flag "a=name"), or null. */
    public String attribute(String name) {
        return attribute(lines, name);
    }

    /** Values of every "a=name:..." line. */
    public List<String> attributes(String name) {
        List<String> out = new ArrayList<>();
        String prefix = "a=" + name;
        for (String l : lines) {
            if (l.equals(prefix)) {
                out.add("");
            } else if (l.startsWith(prefix + ":")) {
                out.add(l.substring(prefix.length() + 1));
            }
        }
        return out;
    }

    public boolean hasFlag(String name) {
        return lines.contains("a=" + name);
    }

    public String mid() {
        return attribute("mid");
    }

    /** sendrecv, sendonly, recvonly or inactive (default sendrecv, RFC 8866 section 6.7). */
    public String direction() {
        for (String d : new String[] {"sendrecv", "sendonly", "recvonly", "inactive"}) {
            if (hasFlag(d)) {
                return d;
            }
        }
        return "sendrecv";
    }

    static String attribute(List<String> lines, String name) {
        String prefix = "a=" + name;
        for (String l : lines) {
            if (l.equals(prefix)) {
                return "";
            }
            if (l.startsWith(prefix + ":")) {
                return l.substring(prefix.length() + 1);
            }
        }
        return null;
    }

    /** The rtpmap of a payload type: "name/clock[/channels]", or null. */
    public String rtpmap(String pt) {
        for (String v : attributes("rtpmap")) {
            if (v.startsWith(pt + " ")) {
                return v.substring(pt.length() + 1).trim();
            }
        }
        return null;
    }

    /** The fmtp parameters of a payload type, or "". */
    public String fmtp(String pt) {
        for (String v : attributes("fmtp")) {
            if (v.startsWith(pt + " ")) {
                return v.substring(pt.length() + 1).trim();
            }
        }
        return "";
    }
}
