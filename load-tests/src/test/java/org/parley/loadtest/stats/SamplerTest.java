package org.parley.loadtest.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void countersBecomeRatesAndLossIsPerInterval() {
        RunMetrics m = new RunMetrics();
        Sampler sampler = new Sampler(m, 0);
        SentStream sender = m.addSender();
        StreamReception seq = m.addStream(sender);
        m.counter(RunMetrics.PACKETS_RECEIVED).add(100);
        for (int i = 0; i < 100; i++) {
            seq.onPacket(sender.next(), i, i);
        }
        m.participants().set(3);
        Sample first = sampler.sample(2 * SECOND, 0.5, -1);
        assertEquals(50.0, first.rate(RunMetrics.PACKETS_RECEIVED), 1e-9, "100 packets over 2 s");
        assertEquals(100, first.expected());
        assertEquals(0, first.lost());
        assertEquals(3, first.participants());
        assertEquals(0.5, first.serverCpu());

        for (int i = 100; i < 200; i++) {
            int counter = sender.next();
            if (i % 10 != 0) {
                seq.onPacket(counter, i, i);
            }
        }
        m.counter(RunMetrics.PACKETS_RECEIVED).add(90);
        Sample second = sampler.sample(3 * SECOND, 0.5, -1);
        assertEquals(90.0, second.rate(RunMetrics.PACKETS_RECEIVED), 1e-9);
        assertEquals(100, second.expected(), "100..199");
        assertEquals(10, second.lost(), "100, 110, ... 190");
        assertEquals(190, second.totals().get(RunMetrics.PACKETS_RECEIVED));
        assertEquals(3.0, second.seconds(), 1e-9);
    }

    @Test
    void aStreamThatStopsWhileItsSenderGoesOnIsLoss() {
        RunMetrics m = new RunMetrics();
        Sampler sampler = new Sampler(m, 0);
        SentStream sender = m.addSender();
        StreamReception stream = fiftyReceived(m, sender);
        for (int i = 0; i < 10; i++) {
            sender.next(); // still in flight at the sample
        }
        Sample flowing = sampler.sample(SECOND, -1, -1);
        assertEquals(0, flowing.lost(), "packets in flight at a sample are not lost yet");
        for (int i = 0; i < 50; i++) {
            sender.next(); // the receiver hears none of these
        }
        Sample stopped = sampler.sample(2 * SECOND, -1, -1);
        assertEquals(10, stopped.lost(), "what was sent before the previous sample and never came");
        Sample later = sampler.sample(3 * SECOND, -1, -1);
        assertEquals(50, later.lost());
        assertEquals(60, stream.lost());
        assertEquals(110, stream.expected());
        sender.next();
        sender.settleAll();
        assertEquals(61, stream.lost(), "once the sender stopped every packet it sent counts");
    }

    @Test
    void aPacketSentJustBeforeASampleIsNotLostAtAShortIntervalAfterIt() {
        RunMetrics m = new RunMetrics();
        Sampler sampler = new Sampler(m, 0);
        SentStream sender = m.addSender();
        StreamReception stream = fiftyReceived(m, sender);
        sender.next(); // in flight at the sample at 1 s
        assertEquals(0, sampler.sample(SECOND, -1, -1).lost());
        Sample shortOne = sampler.sample(SECOND + 11_000_000L, -1, -1);
        assertEquals(0, shortOne.lost(), "11 ms is no time to call it lost (the run's last interval is often this short)");
        Sample next = sampler.sample(2 * SECOND, -1, -1);
        assertEquals(1, next.lost(), "a second later it is");
    }

    /** A stream of {@code sender}'s that has received the sender's first 50 packets. */
    private static StreamReception fiftyReceived(RunMetrics m, SentStream sender) {
        StreamReception stream = m.addStream(sender);
        for (int i = 0; i < 50; i++) {
            stream.onPacket(sender.next(), i, i);
        }
        return stream;
    }

    @Test
    void latenciesAreSampledPerInterval() {
        RunMetrics m = new RunMetrics();
        Sampler sampler = new Sampler(m, 0);
        m.latency(RunMetrics.SETUP).recordNanos(3_000_000);
        Sample s = sampler.sample(SECOND, -1, -1);
        assertEquals(1, s.latency(RunMetrics.SETUP).count());
        assertEquals(3.0, s.latency(RunMetrics.SETUP).p99(), 0.01);
        assertEquals(0, sampler.sample(2 * SECOND, -1, -1).latency(RunMetrics.SETUP).count());
    }
}
