package org.parley.signaling.call;

import java.util.HashSet;
import java.util.Set;
import org.parley.signaling.cluster.CallDirectory;

/**
 * Writes the calls this node owns into the cluster's {@link CallDirectory} (docs/cluster.md
 * "Calls across nodes"): an entry under each party when the call is placed, again when it is
 * answered, and its removal when it ends, so that the other nodes find a user's calls for busy,
 * glare, late ringing and pulls. A call this node takes over is rewritten as its own. Loop thread only.
 */
public final class CallIndex implements Calls.Journal {

    private final CallDirectory directory;
    private final String self;
    /** Calls whose entry says answered: later changes (media, hand-off) need no write. */
    private final Set<String> answered = new HashSet<>();

    public CallIndex(Calls calls, CallDirectory directory, String self) {
        this.directory = directory;
        this.self = self;
        calls.index(this);
    }

    @Override
    public void added(Call c) {
        boolean established = c.state().established();
        if (established) {
            answered.add(c.id());
        }
        directory.put(entry(c, established));
    }

    @Override
    public void changed(Call c) {
        if (c.state().established() && answered.add(c.id())) {
            directory.put(entry(c, true));
        }
    }

    @Override
    public void removed(Call c) {
        answered.remove(c.id());
        directory.remove(entry(c, false));
    }

    private CallDirectory.Entry entry(Call c, boolean established) {
        return new CallDirectory.Entry(c.id(), self, c.callerUser(), c.calleeUser(), established);
    }
}
