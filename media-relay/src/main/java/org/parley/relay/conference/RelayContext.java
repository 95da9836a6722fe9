package org.parley.relay.conference;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.parley.relay.RelayMetrics;
import org.parley.relay.bwe.BweSettings;
import org.parley.relay.debug.FrameCapture;
import org.parley.relay.transport.DtlsCertificate;
import org.parley.relay.transport.SendPool;

/**
 * What every conference and endpoint of one relay shares; {@code frameCapture} is the test hook of
 * {@code parley.relay.debug.capture-frames}, null when off; {@code bwe} bounds the receivers'
 * downlink estimates ({@code parley.relay.bwe}).
 */
public record RelayContext(RelayMetrics metrics, BcTlsCrypto crypto, DtlsCertificate certificate,
        List<CandidateHarvester> harvesters, List<String> advertisedIps, ScheduledExecutorService scheduler,
        Clock clock, SendPool sendPool, FrameCapture frameCapture, BweSettings bwe) {
}
