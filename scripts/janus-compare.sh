#!/usr/bin/env bash
# Issue 18's comparison: Parley's relay and Janus's VideoRoom (Debian's janus, C) forwarding the
# same load, in ROUNDS rounds that alternate which goes first, each SFU in its own process.
#
# The load is RelayLoadBenchmark's: one publisher's VP8 packets (1000 bytes of payload, PPS per
# second, paced) through the SFU to RECEIVERS Java WebRTC receivers (ice4j, DTLS, SRTP), SECS
# measured seconds after 5 s of warm-up in every run. The same client code drives both: Parley
# over its HTTP control API (--separate-process), Janus over its HTTP API (JanusVideoRoom). Both
# figures count what the receivers got, divided by the CPU (user + system, every thread) of the
# SFU's process over the measured window. A new process per run: Parley's JIT warms up in each.
#
# Janus (libnice) does not gather candidates on lo, so everything runs in a network namespace of
# its own (unshare) whose only other interface is a veth pair with a private address and no
# route: nothing can leave the machine.
#
# Usage: scripts/janus-compare.sh                     (50 receivers, 300 pps, 10 s, 5 rounds)
#   RECEIVERS=100 PPS=143 SECS=30 ROUNDS=3 scripts/janus-compare.sh
# Needs: java, mvn, janus. Prints one line per run and round, then the medians and the median of
# the per-round ratios (Parley / Janus packets per CPU-second).
set -euo pipefail
RECEIVERS=${RECEIVERS:-50}
PPS=${PPS:-300}
SECS=${SECS:-10}
ROUNDS=${ROUNDS:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if [[ -z "${JANUS_COMPARE_INSIDE:-}" ]]; then
  exec unshare --net env JANUS_COMPARE_INSIDE=1 "$0" "$@"
fi
ip link set lo up
ip link add janus0 type veth peer name janus1
ip addr add 10.200.0.1/32 dev janus0
ip link set janus0 up
ip link set janus1 up

WORK=$(mktemp -d /tmp/janus-compare.XXXXXX)
(cd "$ROOT" && mvn -q -B -o -pl media-relay -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$WORK/cp.txt" -P '!fuzz' >"$WORK/build.log" 2>&1) || { cat "$WORK/build.log"; exit 1; }
CP="$ROOT/media-relay/target/test-classes:$ROOT/media-relay/target/classes:$(cat "$WORK/cp.txt")"

# One run: prints "<sfu> <received> <expected> <cpu-seconds> <per-cpu-second>".
run() {
  local flag=$1 log="$WORK/run-$1-$2.log"
  java -cp "$CP" org.parley.relay.bench.RelayLoadBenchmark "$flag" "$RECEIVERS" "$PPS" "$SECS" >"$log" 2>&1 \
    || { tail -20 "$log" >&2; return 1; }
  local line expected
  line=$(grep '^sfu: ' "$log") || { tail -20 "$log" >&2; return 1; }
  expected=$((RECEIVERS * PPS * SECS))
  echo "$line" | sed -E 's/^sfu: ([a-z]+) received=([0-9]+) cpu=([0-9.]+) per-cpu-second=([0-9]+)$/\1 \2 '"$expected"' \3 \4/'
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "NA" } else if (NR % 2) { print v[(NR + 1) / 2] }
  else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'; }

echo "load: 1 publisher -> $RECEIVERS receivers, $PPS packets/s, $SECS s measured, $ROUNDS rounds; $(nproc) cores"
: >"$WORK/rounds"
for ((i = 1; i <= ROUNDS; i++)); do
  if ((i % 2)); then order="--separate-process --janus"; else order="--janus --separate-process"; fi
  for flag in $order; do
    r=$(run "$flag" "$i")
    echo "round $i: $r (received expected cpu-s per-cpu-s)"
    echo "$i $r" >>"$WORK/rounds"
  done
done
parley=$(awk '$2 == "parley" { print $6 }' "$WORK/rounds" | median)
janus=$(awk '$2 == "janus" { print $6 }' "$WORK/rounds" | median)
ratio=$(awk '{ v[$1, $2] = $6 } END { for (k in v) { split(k, p, SUBSEP); if (p[2] == "parley") print v[p[1], "parley"] / v[p[1], "janus"] } }' \
  "$WORK/rounds" | median)
echo "median forwarded packets per CPU-second: parley $parley, janus $janus; median per-round ratio parley/janus $ratio"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); logs in $WORK"
