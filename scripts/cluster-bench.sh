#!/usr/bin/env bash
# A Parley cluster on this one machine: a real redis-server and NODES server processes sharing it,
# loaded by the load tool with one --url per node (docs/cluster.md, docs/load-tests.md). Two runs:
#   connections  CONNECTIONS signaling connections held, from TOOLS load-tool processes (each
#                process, like each node, is capped at 20,000 open files here, so several of each
#                go past what one process can hold), every tool spreading its share over all nodes;
#   calls        1:1 calls at RATE set-ups/s whose caller and callee sit on different nodes
#                (invite -> ringing crosses Redis pub/sub), with invite -> ringing p50/p99.
# Prints each tool's summary; result.json and report.html of every run stay in OUT.
#
# Runs itself in a fresh network namespace (unshare --net): only loopback exists, nothing can leave.
# Usage: scripts/cluster-bench.sh
#        NODES=3 TOOLS=3 CONNECTIONS=45000 RATE=200 DURATION=30s scripts/cluster-bench.sh
# Needs: java, redis-server, server/target/parley-server.jar and load-tests/target/parley-load.jar
# (mvn -B -q -o -pl load-tests -am package -DskipTests).
set -euo pipefail

if [[ "${PARLEY_BENCH_IN_NETNS:-}" != 1 ]]; then
  exec unshare --net env PARLEY_BENCH_IN_NETNS=1 bash "$0" "$@"
fi
ip link set lo up

cd "$(dirname "$0")/.."
NODES=${NODES:-3}
TOOLS=${TOOLS:-3}
CONNECTIONS=${CONNECTIONS:-45000}
RATE=${RATE:-200}
DURATION=${DURATION:-30s}
OUT=${OUT:-target/cluster-bench}
SERVER_JAR=${PARLEY_JAR:-server/target/parley-server.jar}
LOAD_JAR=${LOAD_JAR:-load-tests/target/parley-load.jar}
SECRET=cluster-bench-operator-secret-of-32-chars
REDIS_PORT=16379
mkdir -p "$OUT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --logfile "$OUT/redis.log" &
pids+=($!)

urls=()
per_node=$(( CONNECTIONS / NODES + 1000 ))
for i in $(seq 1 "$NODES"); do
  port=$(( 18080 + i ))
  # Connection limits raised to what the bench holds: the defaults (10,000 in all, 256 per
  # address) protect a node from strangers, and every simulated device here comes from 127.0.0.1.
  java -Xmx3g -Dparley.auth.secret=$SECRET -Dparley.http.host=127.0.0.1 -Dparley.http.port=$port \
    -Dparley.http.max-connections=$per_node -Dparley.http.max-connections-per-address=$per_node \
    -Dparley.cluster.redis=redis://127.0.0.1:$REDIS_PORT -Dparley.cluster.node-id=node$i \
    -Dparley.relay.api-secret=cluster-bench-relay-api-secret -Dparley.turn.enabled=false \
    -Dparley.relay.bind-address=127.0.0.1 -Dparley.relay.udp-port=0 -Dparley.relay.tcp-port=0 \
    -jar "$SERVER_JAR" > "$OUT/node$i.log" 2>&1 &
  pids+=($!)
  urls+=(--url "ws://127.0.0.1:$port/ws")
done
for i in $(seq 1 "$NODES"); do
  for _ in $(seq 1 300); do
    grep -q "listening http tcp" "$OUT/node$i.log" && break
    sleep 0.2
  done
  grep -q "listening http tcp" "$OUT/node$i.log" || { echo "node$i did not start"; cat "$OUT/node$i.log"; exit 1; }
done
echo "== $NODES nodes up: ${urls[*]}"

echo "== connections: $CONNECTIONS held by $TOOLS load-tool processes for $DURATION"
tool_pids=()
for t in $(seq 1 "$TOOLS"); do
  java -Xmx3g -jar "$LOAD_JAR" connections "${urls[@]}" --secret $SECRET \
    --connections $(( CONNECTIONS / TOOLS )) --connect-rate 500 --duration "$DURATION" --ramp-timeout 5m \
    --out "$OUT/connections-$t" > "$OUT/connections-$t.log" 2>&1 &
  tool_pids+=($!)
done
status=0
for p in "${tool_pids[@]}"; do wait "$p" || status=$?; done
for t in $(seq 1 "$TOOLS"); do
  echo "-- tool $t"; tail -25 "$OUT/connections-$t.log"
done

echo "== calls: $RATE set-ups/s across nodes for $DURATION"
java -Xmx3g -jar "$LOAD_JAR" calls "${urls[@]}" --secret $SECRET --rate "$RATE" --talk 5s \
  --duration "$DURATION" --out "$OUT/calls" > "$OUT/calls.log" 2>&1 || status=$?
tail -3 "$OUT/calls.log"

echo "== figures"
python3 - "$OUT" "$TOOLS" <<'PY'
import json, sys
out, tools = sys.argv[1], int(sys.argv[2])
held = failed = 0
for t in range(1, tools + 1):
    s = json.load(open(f"{out}/connections-{t}/result.json"))["scenarioSummary"]
    held += s["connections established"]
    failed += s["connections failed"]
print(f"connections: {held} established over all tools, {failed} failed")
r = json.load(open(f"{out}/calls/result.json"))
s, setup = r["scenarioSummary"], r["latencies"]["setup"]
print(f"calls: {s['calls.placed']} placed, {s['calls.connected']} connected, {s['calls.failed']} failed, "
      f"{s['call set-up rate achieved (per s)']} set-ups/s; invite -> ringing p50 {setup['p50']} ms, "
      f"p99 {setup['p99']} ms, max {setup['max']} ms; server CPU (all nodes) max {r['serverCpuMax']:.2f} cores")
PY
exit $status
