package org.parley.signaling.call;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.ProtocolException;

/**
 * Every live one-to-one call by id, and by the users in it so that busy, glare and pending-ring
 * checks cost the same with ten calls or ten thousand. Loop thread only.
 */
public final class Calls {

    private final Map<String, Call> byId = new HashMap<>();
    private final Map<String, java.util.Set<Call>> byUser = new HashMap<>();
    private Journal journal = Journal.NONE;
    /** Told of every call's start, changes and end (the cluster's directory of calls by user). */
    private Journal index = Journal.NONE;

    /** Told of each answered call's changes and of its end (the cluster's call records). */
    interface Journal {
        Journal NONE = new Journal() {
            @Override
            public void changed(Call c) {
            }

            @Override
            public void removed(Call c) {
            }
        };

        /** A call was placed (it rings) or rebuilt here. */
        default void added(Call c) {
        }

        void changed(Call c);

        void removed(Call c);
    }

    void journal(Journal j) {
        this.journal = j;
    }

    void index(Journal j) {
        this.index = j;
    }

    /** An answered call changed (answered, connected, media flags, hand-off): its record follows. */
    void changed(Call c) {
        journal.changed(c);
        index.changed(c);
    }

    void add(Call c) {
        byId.put(c.id(), c);
        byUser.computeIfAbsent(c.callerUser(), u -> new java.util.LinkedHashSet<>()).add(c);
        byUser.computeIfAbsent(c.calleeUser(), u -> new java.util.LinkedHashSet<>()).add(c);
        index.added(c);
    }

    void remove(Call c) {
        byId.remove(c.id());
        forget(c.callerUser(), c);
        forget(c.calleeUser(), c);
        journal.removed(c);
        index.removed(c);
    }

    private void forget(String user, Call c) {
        java.util.Set<Call> calls = byUser.get(user);
        if (calls != null && calls.remove(c) && calls.isEmpty()) {
            byUser.remove(user);
        }
    }

    private java.util.Collection<Call> of(String user) {
        return byUser.getOrDefault(user, java.util.Set.of());
    }

    public Call get(String id) {
        return byId.get(id);
    }

    /** The call {@code s} knows (rings for or carries), or {@code unknown_call}. */
    Call known(Session s, String callId) {
        Call c = byId.get(callId);
        if (c == null || !s.calls().contains(callId)) {
            throw new ProtocolException(ErrorCode.UNKNOWN_CALL, "no call " + callId + " on this device");
        }
        return c;
    }

    /** A live call where {@code s}'s user is a party, whichever device carries it. */
    Call ofUser(Session s, String callId) {
        Call c = byId.get(callId);
        if (c == null || !c.isParty(s.user())) {
            throw new ProtocolException(ErrorCode.UNKNOWN_CALL, "no call " + callId + " for this user");
        }
        return c;
    }

    /** True when {@code user} is in an accepted call. */
    boolean busy(String user) {
        for (Call c : of(user)) {
            if (c.state().established()) {
                return true;
            }
        }
        return false;
    }

    /** A ringing call from {@code caller} to {@code callee}, or null (glare detection). */
    Call ringingBetween(String caller, String callee) {
        for (Call c : of(caller)) {
            if (c.state() == CallState.RINGING && c.callerUser().equals(caller) && c.calleeUser().equals(callee)) {
                return c;
            }
        }
        return null;
    }

    /** Calls ringing for {@code user}. */
    List<Call> ringingFor(String user) {
        List<Call> out = new ArrayList<>();
        for (Call c : of(user)) {
            if (c.state() == CallState.RINGING && c.calleeUser().equals(user)) {
                out.add(c);
            }
        }
        return out;
    }

    public Collection<Call> all() {
        return List.copyOf(byId.values());
    }

    public int size() {
        return byId.size();
    }
}
