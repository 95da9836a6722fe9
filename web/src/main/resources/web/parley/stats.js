// Reads RTCPeerConnection.getStats() into the few numbers a user notices: frames decoded, audio
// packets received, round-trip time, loss, and a three-step connection-quality grade.

/** Sums the inbound streams and the selected candidate pair of one or more peer connections. */
export async function mediaStats(...pcs) {
  const out = {
    framesDecoded: 0, framesReceived: 0, videoPacketsReceived: 0, audioPacketsReceived: 0,
    packetsLost: 0, packetsReceived: 0, bytesSent: 0, rttMs: null, candidateType: null,
    remoteCandidateType: null, localAddress: null, remoteAddress: null, frameWidth: 0,
    framesDecodedByTrack: {}, // remote track id -> frames decoded, to tell a screen share from a camera
    audioPacketsByTrack: {}, // remote track id -> audio packets received
  };
  for (const pc of pcs) {
    if (!pc || pc.connectionState === 'closed') continue;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type === 'inbound-rtp') {
        out.packetsLost += Math.max(0, s.packetsLost || 0);
        out.packetsReceived += s.packetsReceived || 0;
        if (s.kind === 'video') {
          out.framesDecoded += s.framesDecoded || 0;
          out.framesReceived += s.framesReceived || 0;
          out.videoPacketsReceived += s.packetsReceived || 0;
          out.frameWidth = Math.max(out.frameWidth, s.frameWidth || 0);
          if (s.trackIdentifier) out.framesDecodedByTrack[s.trackIdentifier] = s.framesDecoded || 0;
        } else if (s.kind === 'audio') {
          out.audioPacketsReceived += s.packetsReceived || 0;
          if (s.trackIdentifier) out.audioPacketsByTrack[s.trackIdentifier] = s.packetsReceived || 0;
        }
      } else if (s.type === 'outbound-rtp') {
        out.bytesSent += s.bytesSent || 0;
      } else if (s.type === 'transport' && s.selectedCandidatePairId) {
        // The pair ICE selected (W3C webrtc-stats RTCTransportStats.selectedCandidatePairId).
        const pair = report.get(s.selectedCandidatePairId);
        if (!pair) return;
        if (typeof pair.currentRoundTripTime === 'number') {
          out.rttMs = Math.max(out.rttMs || 0, pair.currentRoundTripTime * 1000);
        }
        const local = report.get(pair.localCandidateId);
        const remote = report.get(pair.remoteCandidateId);
        if (local) {
          out.candidateType = local.candidateType;
          out.localAddress = local.address;
        }
        if (remote) {
          out.remoteCandidateType = remote.candidateType;
          out.remoteAddress = remote.address;
        }
      }
    });
  }
  return out;
}

/**
 * Grades a connection from two samples of mediaStats(): loss over the interval and round-trip
 * time. The thresholds follow common VoIP guidance (ITU-T G.114: one-way delay under 150 ms is
 * good; loss above a few percent is audible with Opus).
 */
export function quality(prev, now) {
  if (!now) return 'unknown';
  const received = now.packetsReceived - (prev ? prev.packetsReceived : 0);
  const lost = now.packetsLost - (prev ? prev.packetsLost : 0);
  const loss = received + lost > 0 ? lost / (received + lost) : 0;
  const rtt = now.rttMs ?? 0;
  if (received <= 0 && now.bytesSent <= 0) return 'unknown';
  if (loss > 0.1 || rtt > 600) return 'poor';
  if (loss > 0.02 || rtt > 300) return 'fair';
  return 'good';
}
