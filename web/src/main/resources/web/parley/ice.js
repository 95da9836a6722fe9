// Candidate filtering: lets an app (or a test on a machine with several networks) announce only
// some of its ICE candidates, e.g. loopback only.

/** The connection address of an ICE candidate line (RFC 8839 §5.1: the fifth field). */
export function candidateAddress(candidate) {
  const fields = candidate.replace(/^a=/, '').split(' ');
  return fields.length > 4 ? fields[4] : '';
}

/** A filter that keeps loopback candidates only (127.0.0.0/8, ::1). */
export function loopbackOnly(candidate) {
  const a = candidateAddress(candidate);
  return a.startsWith('127.') || a === '::1';
}

/** Removes the a=candidate lines the filter rejects from an SDP blob. */
export function filterSdp(sdp, filter) {
  if (!filter) return sdp;
  return sdp.split('\r\n').filter((line) => !line.startsWith('a=candidate:') || filter(line)).join('\r\n');
}
