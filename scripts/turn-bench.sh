#!/usr/bin/env bash
# Runs the same turnutils_uclient load against Parley TURN and against coturn (turnserver) on this
# machine, in ROUNDS measured rounds that alternate between the two, and prints both results and
# their ratio:
#   relayed packets per CPU-second of the server process (from /proc/<pid>/stat utime+stime),
#   average round-trip time and loss as uclient reports them, and where Parley's CPU went by thread
#   (event loop, JIT compiler, the rest) and kernel/user.
#
# Why rounds: on a shared or virtual machine one run of each server, minutes apart, differed by 10-30 %
# from the next such pair (docs/benchmarks.md, TURN). Both servers run side by side, idle while the
# other is measured, and every round measures both back to back (Parley first in odd rounds, coturn
# first in even ones), so a drift of the machine touches both alike. The summary gives the median
# of each server's rate and the median of the per-round ratios.
#
# Both servers get WARMUP_ROUNDS uclient runs of WARMUP_MESSAGES per client before the measured run.
# One round is not enough for the JVM: each new round begins with a burst of STUN requests after an
# idle gap, and C2 deoptimizes and recompiles Netty's event loop (unstable_if traps in
# EpollIoHandler.run, measured with -XX:+LogCompilation), which cost 0.5-1 CPU-second of compiler
# threads inside the measured run. After three rounds that falls to about 0.2 s. coturn has no JIT;
# it gets the same rounds so both face the same load. WARMUP_ROUNDS=1 gives the earlier method.
#
# Loads (LOADS, default "default paced"; each measured in its own block of warm-up and rounds, the
# two servers staying up between blocks):
#   default  -m 50 -n 1000 -l 200           50 clients, 1000 messages of 200 bytes, uclient's 20 ms
#                                           interval, RTP and RTCP allocation pairs (the load of the
#                                           earlier sessions)
#   paced    -c -m 25 -n 2000 -l 200 -z 2   25 clients, 2000 messages, a 2 ms interval, one allocation
#                                           each (-c, no RTCP pair): the load of issue 18's runs
# Both use channels over UDP. uclient sends one message for every client per interval, so either
# load reaches a server in bursts (50 every 20 ms, 25 every 2 ms); docs/benchmarks.md says what the
# two exercise differently.
#
# Usage: scripts/turn-bench.sh            (both loads)
#   LOADS=paced ROUNDS=9 scripts/turn-bench.sh
#   CLIENTS=50 MESSAGES=1000 SIZE=200 UCLIENT_EXTRA="-s" WARMUP_ROUNDS=3 ROUNDS=5 scripts/turn-bench.sh
#                                         (one load of your own, named "custom")
#   PARLEY_JAR=server/target/parley-server.jar scripts/turn-bench.sh   (the whole server, TURN only)
#   PARLEY_JAVA_OPTS="-Dio.netty.leakDetection.level=disabled" scripts/turn-bench.sh
# Needs: java, mvn (unless PARLEY_JAR is given), coturn's turnserver, turnutils_uclient, turnutils_peer.
# Loopback only; free ports are picked at start, relay ports 50000-52999. Run it in a network namespace
# of its own where others share the machine: unshare --net sh -c 'ip link set lo up; scripts/turn-bench.sh'
set -euo pipefail

# A load is "clients messages size uclient-flags".
LOAD_default="50 1000 200"
LOAD_paced="25 2000 200 -c -z 2"
if [[ -n "${CLIENTS:-}${MESSAGES:-}${SIZE:-}${UCLIENT_EXTRA:-}" ]]; then
  LOAD_custom="${CLIENTS:-50} ${MESSAGES:-1000} ${SIZE:-200} ${UCLIENT_EXTRA:-}"
  LOADS=${LOADS:-custom}
fi
LOADS=${LOADS:-default paced}
WARMUP_MESSAGES=${WARMUP_MESSAGES:-200}
WARMUP_ROUNDS=${WARMUP_ROUNDS:-3}
ROUNDS=${ROUNDS:-5}
SECRET=bench-secret
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/turn-bench.XXXXXX)
CLK_TCK=$(getconf CLK_TCK)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

for tool in turnserver turnutils_uclient turnutils_peer java; do
  command -v "$tool" >/dev/null || { echo "missing $tool (Debian package coturn / a JDK)" >&2; exit 1; }
done

cpu_ticks() { # utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat)
  awk '{print $14 + $15}' "/proc/$1/stat"
}

# Per-thread CPU of process $1 as "group utime stime" lines, group being the thread's name without
# its trailing number; the name is between the first '(' and the last ')' of /proc/PID/task/TID/stat and
# may hold spaces, hence the split on ") ".
thread_ticks() {
  for stat in /proc/"$1"/task/*/stat; do
    sed -E 's/^[0-9]+ \((.*)\) /\1\t/' "$stat" 2>/dev/null
  done | awk -F'\t' '{ split($2, f, " "); name = $1; sub(/[#-]?[0-9]+$/, "", name); gsub(/ /, "_", name);
    u[name] += f[12]; s[name] += f[13] } END { for (n in u) print n, u[n], s[n] }'
}

# Prints the difference of two thread_ticks snapshots $1 and $2 ("group dutime dstime").
thread_delta() {
  awk 'NR == FNR { u[$1] = $2; s[$1] = $3; next } { print $1, $2 - u[$1], $3 - s[$1] }' "$1" "$2"
}

# Prints the sums of the thread_delta lines in file $1 in seconds, largest first.
thread_split() {
  awk -v hz="$CLK_TCK" '{ u[$1] += $2; s[$1] += $3 } END { for (n in u) if (u[n] + s[n] > 0)
    printf "  %-28s %6.2f s (user %5.2f, kernel %5.2f)\n", n, (u[n] + s[n]) / hz, u[n] / hz, s[n] / hz }' "$1" | sort -k2 -nr
}

wait_udp() { # wait until something answers STUN Binding on 127.0.0.1:$1
  for _ in $(seq 100); do
    timeout 1 turnutils_stunclient -p "$1" 127.0.0.1 >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "no STUN answer on port $1" >&2; return 1
}

# Runs uclient against port $2 and prints "sent recv lost rtt cpu_seconds" measured on pid $1.
measure() {
  local pid=$1 port=$2 messages=$3 log=$4
  local before after
  before=$(cpu_ticks "$pid")
  # shellcheck disable=SC2086
  turnutils_uclient $UCLIENT_EXTRA -W "$SECRET" -u bench -e 127.0.0.1 -r "$PEER_PORT" -p "$port" \
    -m "$CLIENTS" -n "$messages" -l "$SIZE" 127.0.0.1 > "$log" 2>&1 || true
  after=$(cpu_ticks "$pid")
  local sent recv lost rtt
  sent=$(grep -oE 'tot_send_msgs=[0-9]+, tot_recv_msgs=[0-9]+$' "$log" | tail -1 | sed -E 's/tot_send_msgs=([0-9]+).*/\1/')
  recv=$(grep -oE 'tot_recv_msgs=[0-9]+$' "$log" | tail -1 | cut -d= -f2)
  lost=$(grep -oE 'Total lost packets [0-9]+' "$log" | tail -1 | awk '{print $4}')
  rtt=$(grep -oE 'Average round trip delay [0-9.]+' "$log" | tail -1 | awk '{print $5}')
  echo "${sent:-0} ${recv:-0} ${lost:-NA} ${rtt:-NA} $(echo "scale=3; ($after - $before) / $CLK_TCK" | bc)"
}

# Runs $WARMUP_ROUNDS unmeasured uclient rounds against server $1 (pid $2, port $3).
warm_up() {
  local name=$1 pid=$2 port=$3 round
  for round in $(seq "$WARMUP_ROUNDS"); do
    echo "load $LOAD: warming up $name, round $round of $WARMUP_ROUNDS, $WARMUP_MESSAGES messages per client..." >&2
    measure "$pid" "$port" "$WARMUP_MESSAGES" "$WORK/$LOAD-$name-warmup-$round.log" > /dev/null
  done
}

free_port_pair() { # an even port P below the ephemeral range with P and P+1 free for UDP and TCP
  python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randrange(20000, 32000, 2)
    held = []
    try:
        for port in (p, p + 1):
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(socket.AF_INET, kind); s.bind(("127.0.0.1", port)); held.append(s)
        for s in held: s.close()
        print(p); break
    except OSError:
        for s in held: s.close()
PY
}
PARLEY_PORT=$(free_port_pair)
COTURN_PORT=$(free_port_pair)
PEER_PORT=$(free_port_pair)

turnutils_peer -L 127.0.0.1 -p "$PEER_PORT" > "$WORK/peer.log" 2>&1 &
PIDS+=($!)

# --- both servers, side by side ---
PARLEY_OPTS=(-Dparley.turn.listening-ip=127.0.0.1 -Dparley.turn.listening-port=$PARLEY_PORT
  -Dparley.turn.static-auth-secret=$SECRET -Dparley.turn.realm=bench -Dparley.turn.allow-loopback-peers=true
  -Dparley.turn.min-port=50000 -Dparley.turn.max-port=51499)
if [[ -n "${PARLEY_JAR:-}" ]]; then
  # shellcheck disable=SC2086
  java ${PARLEY_JAVA_OPTS:-} "${PARLEY_OPTS[@]}" -Dparley.relay.enabled=false -Dparley.signaling.enabled=false -jar "$PARLEY_JAR" \
    > "$WORK/parley.log" 2>&1 &
else
  (cd "$ROOT" && mvn -q -B -pl turn -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$WORK/cp.txt" > "$WORK/build.log" 2>&1) || { cat "$WORK/build.log"; exit 1; }
  # shellcheck disable=SC2086
  java ${PARLEY_JAVA_OPTS:-} "${PARLEY_OPTS[@]}" -cp "$ROOT/turn/target/classes:$ROOT/turn/target/test-classes:$(cat "$WORK/cp.txt")" \
    org.parley.turn.TurnServerMain > "$WORK/parley.log" 2>&1 &
fi
PARLEY_PID=$!
PIDS+=("$PARLEY_PID")

mkdir -p "$WORK/coturn"
turnserver -n --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port=$COTURN_PORT \
  --min-port=51500 --max-port=52999 --use-auth-secret --static-auth-secret=$SECRET --realm=bench \
  --fingerprint --no-tls --no-dtls --allow-loopback-peers --no-cli --no-multicast-peers \
  --db="$WORK/coturn/turndb" --pidfile="$WORK/coturn/turnserver.pid" --log-file=stdout --simple-log \
  > "$WORK/coturn.log" 2>&1 &
COTURN_PID=$!
PIDS+=("$COTURN_PID")

wait_udp $PARLEY_PORT
wait_udp $COTURN_PORT

# Every message crosses the server twice (client -> peer, peer -> client).
rate() { if [[ $(echo "$2 > 0" | bc) == 1 ]]; then echo "scale=0; ($1) / $2" | bc; else echo "inf"; fi; }
# The median of the numbers on stdin, printed with format $1 ("%.0f", "%.2f").
median() { sort -n | awk -v f="$1\n" '{ v[NR] = $1 } END { if (NR == 0) print "NA";
  else printf f, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# "median (quartiles Q1-Q3, range MIN-MAX, N rounds)" of the numbers on stdin; the quartiles are the
# medians of the lower and upper halves (Tukey's hinges, the middle value in both halves when N is odd).
summary() { sort -n | awk '{ v[NR] = $1 }
  function med(a, b,   n) { n = b - a + 1; return (n % 2) ? v[a + (n - 1) / 2] : (v[a + n / 2 - 1] + v[a + n / 2]) / 2 }
  END { if (NR == 0) { print "NA"; exit } h = int((NR + 1) / 2);
    printf "%.2f (quartiles %.2f-%.2f, range %.2f-%.2f, %d rounds)\n", med(1, NR), med(1, h), med(NR - h + 1, NR), v[1], v[NR], NR }'; }

# Measures server $1 (pid $2, port $3) in round $4 of load $LOAD; appends
# "round sent recv lost rtt cpu rate jit_cpu rate_without_jit" to $WORK/$LOAD-$1.rounds, and the
# round's per-thread CPU to $WORK/$LOAD-$1.threads.
measure_round() {
  local name=$1 pid=$2 port=$3 round=$4 sent recv lost rtt cpu jit cpu_nojit
  echo "load $LOAD, round $round of $ROUNDS: measuring $name..." >&2
  thread_ticks "$pid" > "$WORK/$name-threads-before.txt"
  read -r sent recv lost rtt cpu < <(measure "$pid" "$port" "$MESSAGES" "$WORK/$LOAD-$name-run-$round.log")
  thread_ticks "$pid" > "$WORK/$name-threads-after.txt"
  thread_delta "$WORK/$name-threads-before.txt" "$WORK/$name-threads-after.txt" \
    | tee -a "$WORK/$LOAD-$name.threads" > "$WORK/$name-round.threads"
  # CPU of the JIT compiler threads (C1, C2; none in coturn), for the steady-state figure.
  jit=$(awk -v hz="$CLK_TCK" '$1 ~ /Compiler/ { t += $2 + $3 } END { printf "%.3f", t / hz }' "$WORK/$name-round.threads")
  cpu_nojit=$(awk -v c="$cpu" -v j="$jit" 'BEGIN { printf "%.3f", c - j }')
  echo "$round $sent $recv $lost $rtt $cpu $(rate "$sent + $recv" "$cpu") $jit $(rate "$sent + $recv" "$cpu_nojit")" \
    >> "$WORK/$LOAD-$name.rounds"
}

ratio_of() { if [[ "$1" != inf && "$2" != inf && "$2" != 0 ]]; then awk -v p="$1" -v c="$2" 'BEGIN { printf "%.2f", p / c }'; else echo NA; fi; }
lost_sum() { awk '{ if ($4 == "NA") na = 1; else s += $4 } END { print na ? "NA" : s }' "$1"; }

# Prints the table and summary of load $LOAD.
report() {
  local r="$WORK/$LOAD"
  echo
  echo "load $LOAD: $CLIENTS clients x $MESSAGES messages x $SIZE bytes, UDP channels${UCLIENT_EXTRA:+, uclient $UCLIENT_EXTRA} (interval 20 ms unless -z), $WARMUP_ROUNDS warm-up rounds of $WARMUP_MESSAGES, $ROUNDS measured rounds"
  printf "%-6s %-8s %8s %9s %6s %10s %8s %8s %20s %7s %12s\n" round server sent received lost "rtt ms" "cpu s" "jit s" \
    "relayed pkts/cpu-s" ratio "ratio no-jit"
  : > "$r.ratios"
  : > "$r.ratios-nojit"
  for round in $(seq "$ROUNDS"); do
    read -r _ p_sent p_recv p_lost p_rtt p_cpu p_rate p_jit p_rate_nojit < <(awk -v r="$round" '$1 == r' "$r-parley.rounds")
    read -r _ c_sent c_recv c_lost c_rtt c_cpu c_rate c_jit _ < <(awk -v r="$round" '$1 == r' "$r-coturn.rounds")
    ratio=$(ratio_of "$p_rate" "$c_rate")
    ratio_nojit=$(ratio_of "$p_rate_nojit" "$c_rate")
    [[ "$ratio" != NA ]] && echo "$ratio" >> "$r.ratios"
    [[ "$ratio_nojit" != NA ]] && echo "$ratio_nojit" >> "$r.ratios-nojit"
    printf "%-6s %-8s %8s %9s %6s %10s %8s %8s %20s %7s %12s\n" "$round" parley "$p_sent" "$p_recv" "$p_lost" "$p_rtt" "$p_cpu" \
      "$p_jit" "$p_rate" "$ratio" "$ratio_nojit"
    printf "%-6s %-8s %8s %9s %6s %10s %8s %8s %20s\n" "" coturn "$c_sent" "$c_recv" "$c_lost" "$c_rtt" "$c_cpu" "$c_jit" "$c_rate"
  done
  echo "load $LOAD: median relayed packets per CPU-second: parley $(awk '{print $7}' "$r-parley.rounds" | median %.0f)," \
    "coturn $(awk '{print $7}' "$r-coturn.rounds" | median %.0f)"
  echo "load $LOAD: lost over all rounds: parley $(lost_sum "$r-parley.rounds"), coturn $(lost_sum "$r-coturn.rounds")"
  # Both servers relay the same packets in a round, so this is also coturn's CPU / Parley's CPU.
  echo "load $LOAD: ratio parley/coturn, relayed packets per CPU-second (= coturn CPU / Parley CPU): $(summary < "$r.ratios")"
  # Without the JIT compiler's threads: what a long-running Parley costs once its code is compiled. In a
  # short benchmark C2 still compiles a long tail of small request-path and allocator methods, each as it
  # reaches its threshold (-XX:+PrintCompilation, docs/benchmarks.md), work a server does once in its life.
  echo "load $LOAD: ratio without Parley's JIT compiler threads: $(summary < "$r.ratios-nojit")"
  echo "load $LOAD: Parley's CPU by thread, all measured rounds:"
  thread_split "$r-parley.threads"
  echo "load $LOAD: coturn's CPU by thread, all measured rounds:"
  thread_split "$r-coturn.threads"
}

for LOAD in $LOADS; do
  spec_var="LOAD_$LOAD"
  [[ -n "${!spec_var:-}" ]] || { echo "unknown load $LOAD (default, paced, or set CLIENTS/MESSAGES/SIZE/UCLIENT_EXTRA)" >&2; exit 1; }
  read -r CLIENTS MESSAGES SIZE UCLIENT_EXTRA <<< "${!spec_var}"
  warm_up parley "$PARLEY_PID" $PARLEY_PORT
  warm_up coturn "$COTURN_PID" $COTURN_PORT
  for round in $(seq "$ROUNDS"); do
    if (( round % 2 )); then
      measure_round parley "$PARLEY_PID" $PARLEY_PORT "$round"
      measure_round coturn "$COTURN_PID" $COTURN_PORT "$round"
    else
      measure_round coturn "$COTURN_PID" $COTURN_PORT "$round"
      measure_round parley "$PARLEY_PID" $PARLEY_PORT "$round"
    fi
  done
  report | tee "$WORK/$LOAD.report"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "logs: $WORK"
