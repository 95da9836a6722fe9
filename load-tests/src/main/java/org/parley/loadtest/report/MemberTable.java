package org.parley.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.parley.loadtest.stats.MemberFigures;

/** The per-member table's columns, for the console and the report alike. */
final class MemberTable {

    static final String[] COLUMNS = {"member", "streams", "packets expected", "lost", "loss %", "jitter ms",
        "first media ms"};

    private MemberTable() {
    }

    static List<MemberFigures> worstFirst(List<MemberFigures> members) {
        List<MemberFigures> sorted = new ArrayList<>(members);
        sorted.sort(MemberFigures::worseFirst);
        return sorted;
    }

    static String[] cells(MemberFigures m) {
        return new String[] {m.member(), m.streamsReceived() + "/" + m.streamsExpected(),
            Long.toString(m.packetsExpected()), Long.toString(m.packetsLost()),
            String.format(Locale.ROOT, "%.3f", m.lossPercent()), String.format(Locale.ROOT, "%.2f", m.jitterMs()),
            m.firstMediaMs() < 0 ? "-" : String.format(Locale.ROOT, "%.0f", m.firstMediaMs())};
    }

    static String header() {
        return String.format(Locale.ROOT, "%-28s %8s %17s %8s %8s %10s %15s", (Object[]) COLUMNS);
    }

    static String line(MemberFigures m) {
        return String.format(Locale.ROOT, "%-28s %8s %17s %8s %8s %10s %15s", (Object[]) cells(m));
    }
}
