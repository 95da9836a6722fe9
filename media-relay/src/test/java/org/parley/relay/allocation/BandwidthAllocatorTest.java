package org.parley.relay.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.parley.relay.client.MutableClock;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.ReceiverConstraints.SourceLimit;
import org.parley.relay.control.SourceKind;

class BandwidthAllocatorTest {

    private final MutableClock clock = new MutableClock(1_000_000);
    private final BandwidthAllocator allocator = new BandwidthAllocator(clock);

    @Test
    void theWorkedExampleOfDocsRelayMd() {
        // 1.2 Mbit/s; A shares its screen and camera, B..E cameras; last-N 3; C spoke last, then B, D.
        List<FakeStream> audio = new ArrayList<>();
        for (String p : List.of("A", "B", "C", "D", "E")) {
            audio.add(FakeStream.audio(p));
        }
        FakeStream screen = FakeStream.screen("A");
        FakeStream a = FakeStream.camera("A");
        FakeStream b = FakeStream.camera("B");
        FakeStream c = FakeStream.camera("C");
        FakeStream d = FakeStream.camera("D");
        FakeStream e = FakeStream.camera("E");
        List<AllocatableStream> all = new ArrayList<>(audio);
        all.addAll(List.of(screen, a, b, c, d, e));

        Map<AllocatableStream, Integer> got = allocator.allocate(all, 1_200_000,
                new ReceiverConstraints(3, List.of(), List.of(), List.of()), -1, List.of("C", "B", "D"));

        audio.forEach(s -> assertEquals(0, got.get(s), "audio always: " + s));
        assertEquals(0, got.get(screen), "the screen share first");
        assertEquals(0, got.get(c), "the speaker, at the layer that fits");
        assertEquals(0, got.get(b));
        assertEquals(0, got.get(d));
        assertEquals(-1, got.get(a), "outside last-N");
        assertEquals(-1, got.get(e), "outside last-N");

        // With 1.6 Mbit/s the speaker gets 360p once that has held: it fits (with the margin) the
        // 500 kbit/s left after everyone's lowest layer.
        ReceiverConstraints lastN3 = new ReceiverConstraints(3, List.of(), List.of(), List.of());
        allocator.allocate(all, 1_600_000, lastN3, -1, List.of("C", "B", "D"));
        assertEquals(0, c.targetLayer(), "the hold");
        clock.advance(BandwidthAllocator.UP_HOLD_MILLIS);
        Map<AllocatableStream, Integer> more = allocator.allocate(all, 1_600_000, lastN3, -1, List.of("C", "B", "D"));
        assertEquals(1, more.get(c));
        assertEquals(0, more.get(b));
    }

    @Test
    void audioIsNeverPausedAndOnlyTheMostImportantVideoWhenNothingFits() {
        FakeStream audio = FakeStream.audio("A");
        FakeStream camera = FakeStream.camera("A");
        FakeStream other = FakeStream.camera("B");
        Map<AllocatableStream, Integer> got = allocator.allocate(List.of(audio, camera, other), 100_000,
                ReceiverConstraints.NONE, -1, List.of("A"));
        assertEquals(0, got.get(audio));
        assertEquals(0, got.get(camera), "the speaker's lowest layer even beyond the budget");
        assertEquals(-1, got.get(other), "the rest is paused");
        assertEquals(-1, other.targetLayer());
    }

    @Test
    void anUnknownEstimateLimitsNothing() {
        FakeStream camera = FakeStream.camera("A");
        camera.setTargetLayer(0);
        allocator.allocate(List.of(camera), 0, ReceiverConstraints.NONE, -1, List.of());
        assertEquals(2, camera.targetLayer(), "without an estimate every stream keeps full quality");
    }

    @Test
    void pinnedAndSpeakersFillLastNAndTheRestArePaused() {
        List<FakeStream> cams = new ArrayList<>();
        for (String p : List.of("A", "B", "C", "D", "E", "F")) {
            cams.add(FakeStream.camera(p));
        }
        Map<AllocatableStream, Integer> got = allocator.allocate(cams, 0,
                new ReceiverConstraints(null, List.of("F"), List.of(), List.of()), 3, List.of("D", "B", "A"));
        // F pinned (stage, top layer); D, B most recent speakers (thumbnails: lowest layer)
        assertEquals(List.of(-1, 0, -1, 0, -1, 2), cams.stream().map(s -> got.get(s)).toList());
    }

    @Test
    void aTileTurnedOffIsPausedAndItsPlaceGoesToTheNext() {
        List<FakeStream> cams = List.of(FakeStream.camera("A"), FakeStream.camera("B"), FakeStream.camera("C"));
        ReceiverConstraints c = new ReceiverConstraints(2, List.of(), List.of(),
                List.of(new SourceLimit("A", SourceKind.VIDEO, 0, 0, true)));
        Map<AllocatableStream, Integer> got = allocator.allocate(cams, 0, c, -1, List.of("A"));
        assertEquals(-1, got.get(cams.get(0)), "off means off, even for the speaker");
        assertTrue(got.get(cams.get(1)) >= 0 && got.get(cams.get(2)) >= 0);
    }

    @Test
    void aThumbnailGetsTheHighestLayerWithinItsMaxHeight() {
        FakeStream stage = FakeStream.camera("A");
        FakeStream thumb = FakeStream.camera("B");
        FakeStream unknown = FakeStream.camera("C");
        unknown.heights[0] = 0;
        unknown.heights[1] = 0;
        ReceiverConstraints c = new ReceiverConstraints(null, List.of(), List.of("A"),
                List.of(new SourceLimit("B", SourceKind.VIDEO, 400, 0, false),
                        new SourceLimit("C", SourceKind.VIDEO, 360, 0, false)));
        Map<AllocatableStream, Integer> got = allocator.allocate(List.of(stage, thumb, unknown), 0, c, -1,
                List.of());
        assertEquals(2, got.get(stage));
        assertEquals(1, got.get(thumb), "360p is the tallest within 400");
        assertEquals(1, got.get(unknown), "unknown heights are taken as half the next layer's: 360 within 360");
    }

    @Test
    void stepsDownAtOnceButUpOnlyWithMarginAndAfterHolding() {
        FakeStream camera = FakeStream.camera("A");
        ReceiverConstraints none = ReceiverConstraints.NONE;
        allocator.allocate(List.of(camera), 1_000_000, none, -1, List.of("A"));
        assertEquals(1, camera.targetLayer(), "720p (1.5 Mbit/s) does not fit 1 Mbit/s: down at once");

        // 1.6 Mbit/s fits 1.5 Mbit/s but not with 15 % to spare: stays.
        clock.advance(500);
        allocator.allocate(List.of(camera), 1_600_000, none, -1, List.of("A"));
        clock.advance(5_000);
        allocator.allocate(List.of(camera), 1_600_000, none, -1, List.of("A"));
        assertEquals(1, camera.targetLayer(), "no step up without the margin");

        // 1.8 Mbit/s: fits with margin, but only after holding for UP_HOLD_MILLIS.
        allocator.allocate(List.of(camera), 1_800_000, none, -1, List.of("A"));
        assertEquals(1, camera.targetLayer(), "not at once");
        clock.advance(BandwidthAllocator.UP_HOLD_MILLIS / 2);
        allocator.allocate(List.of(camera), 1_800_000, none, -1, List.of("A"));
        assertEquals(1, camera.targetLayer(), "not before the hold ends");
        clock.advance(BandwidthAllocator.UP_HOLD_MILLIS / 2);
        allocator.allocate(List.of(camera), 1_800_000, none, -1, List.of("A"));
        assertEquals(2, camera.targetLayer(), "up once it held");
        assertEquals(List.of(1, 2), camera.switches, "one switch down, one up: no flapping");
    }

    @Test
    void anEstimateSwingingAcrossALayerDoesNotFlap() {
        FakeStream camera = FakeStream.camera("A");
        allocator.allocate(List.of(camera), 1_450_000, ReceiverConstraints.NONE, -1, List.of("A"));
        assertEquals(1, camera.targetLayer());
        camera.switches.clear();
        for (int i = 0; i < 40; i++) {
            // every 500 ms the estimate swings between 1.45 and 1.9 Mbit/s: 720p fits only half the time
            allocator.allocate(List.of(camera), i % 2 == 0 ? 1_900_000 : 1_450_000, ReceiverConstraints.NONE, -1,
                    List.of("A"));
            clock.advance(500);
        }
        assertEquals(List.of(), camera.switches, "the hold restarts at every dip: the stream stays at 360p");
    }

    @Test
    void aStreamRaisedByTheLayoutRisesAtOnce() {
        FakeStream a = FakeStream.camera("A");
        FakeStream b = FakeStream.camera("B");
        ReceiverConstraints stageA = new ReceiverConstraints(null, List.of(), List.of("A"), List.of());
        allocator.allocate(List.of(a, b), 5_000_000, stageA, -1, List.of());
        assertEquals(0, b.targetLayer(), "a thumbnail");
        ReceiverConstraints stageB = new ReceiverConstraints(null, List.of(), List.of("B"), List.of());
        allocator.allocate(List.of(a, b), 5_000_000, stageB, -1, List.of());
        assertEquals(2, b.targetLayer(), "on stage now, and the link has room: no hold");
        assertEquals(0, a.targetLayer());
    }

    @Test
    void aStreamHeldBelowItsLayerAsksForAProbeAtItsWantedLayersRate() {
        FakeStream audio = FakeStream.audio("A");
        FakeStream camera = FakeStream.camera("A");
        allocator.allocate(List.of(audio, camera), 400_000, ReceiverConstraints.NONE, -1, List.of("A"));
        assertEquals(0, camera.targetLayer(), "180p is what fits 400 kbit/s");
        // 30 + 150 allocated, then 720p's extra 1350 and 15 % of its 1500: one probe can show room
        // for the highest layer, not only the next one.
        assertEquals(30_000 + 1_500_000 + 225_000, allocator.probeTargetBps());

        FakeStream other = FakeStream.camera("B");
        allocator.allocate(List.of(audio, camera, other), 60_000, ReceiverConstraints.NONE, -1, List.of("A"));
        assertEquals(0, camera.targetLayer(), "the most important video keeps its lowest layer");
        assertEquals(-1, other.targetLayer(), "paused: not even 180p fits");
        assertEquals(30_000 + 1_500_000 + 225_000, allocator.probeTargetBps(),
                "probes for the most important stream held back, toward its highest layer");

        allocator.allocate(List.of(audio, camera), 3_000_000, ReceiverConstraints.NONE, -1, List.of("A"));
        assertEquals(0, allocator.probeTargetBps(), "nothing held back by bandwidth: no probe");
        allocator.allocate(List.of(audio, camera), 0, ReceiverConstraints.NONE, -1, List.of("A"));
        assertEquals(0, allocator.probeTargetBps(), "an unknown estimate limits nothing, so needs no probe");
    }

    @Test
    void aStreamHeldOnlyByTheHoldAsksForNoProbe() {
        FakeStream camera = FakeStream.camera("A");
        allocator.allocate(List.of(camera), 1_000_000, ReceiverConstraints.NONE, -1, List.of("A"));
        assertEquals(1, camera.targetLayer());
        allocator.allocate(List.of(camera), 2_000_000, ReceiverConstraints.NONE, -1, List.of("A"));
        assertEquals(1, camera.targetLayer(), "720p fits but has not held yet");
        assertEquals(0, allocator.probeTargetBps(), "the estimate already has room: a probe would show nothing new");
    }

    @Test
    void aThumbnailCappedByItsMaxHeightIsNotHeldBack() {
        FakeStream thumb = FakeStream.camera("B");
        FakeStream stage = FakeStream.camera("A");
        ReceiverConstraints c = new ReceiverConstraints(null, List.of(), List.of("A"),
                List.of(new SourceLimit("B", SourceKind.VIDEO, 200, 0, false)));
        allocator.allocate(List.of(stage, thumb), 5_000_000, c, -1, List.of());
        assertEquals(0, thumb.targetLayer());
        assertEquals(2, stage.targetLayer());
        assertEquals(0, allocator.probeTargetBps(), "each has what it may have");
    }
}
