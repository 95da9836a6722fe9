package org.parley.signaling.session;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every live session, found by id, by resume token, and by user and device. Loop thread only. */
public final class Sessions {

    private final Map<String, Session> byId = new HashMap<>();
    private final Map<String, Session> byResumeToken = new HashMap<>();
    private final Map<String, Map<String, Session>> byUser = new HashMap<>();

    void add(Session s) {
        byId.put(s.id(), s);
        byResumeToken.put(s.resumeToken(), s);
        byUser.computeIfAbsent(s.user(), u -> new LinkedHashMap<>()).put(s.device(), s);
    }

    void remove(Session s) {
        byId.remove(s.id());
        byResumeToken.remove(s.resumeToken());
        Map<String, Session> devices = byUser.get(s.user());
        if (devices != null && devices.get(s.device()) == s) {
            devices.remove(s.device());
            if (devices.isEmpty()) {
                byUser.remove(s.user());
            }
        }
    }

    void newResumeToken(Session s, String token) {
        byResumeToken.remove(s.resumeToken());
        s.resumeToken(token);
        byResumeToken.put(token, s);
    }

    public Session byId(String id) {
        return byId.get(id);
    }

    Session byResumeToken(String token) {
        return byResumeToken.get(token);
    }

    /** A user's device, or null. */
    public Session device(String user, String device) {
        Map<String, Session> d = byUser.get(user);
        return d == null ? null : d.get(device);
    }

    /** Every live session of a user (connected or waiting for resume). */
    public Collection<Session> devices(String user) {
        Map<String, Session> d = byUser.get(user);
        return d == null ? List.of() : List.copyOf(d.values());
    }

    /** Every session with a connection attached. */
    public List<Session> attached() {
        return byId.values().stream().filter(s -> s.state() == Session.State.ATTACHED).toList();
    }

    public int size() {
        return byId.size();
    }
}
