package org.parley.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.parley.loadtest.scenario.CallsScenario;
import org.parley.loadtest.scenario.CapacityScenario;
import org.parley.loadtest.scenario.ConferenceScenario;
import org.parley.loadtest.scenario.ConnectionsScenario;
import org.parley.loadtest.scenario.Scenario;
import org.parley.loadtest.target.Targets;

/**
 * Entry point of {@code parley-load.jar}:
 * {@code java -jar parley-load.jar <scenario> --url ws://host:8080/ws --secret S [options]}.
 * Exit status: 0 the run completed (its quality is in the report) and met every threshold given,
 * 1 it could not run, 2 usage, 99 it completed but broke a threshold ({@link Thresholds}).
 */
public final class LoadTestMain {

    static final String USAGE = """
            usage: java -jar parley-load.jar <scenario> --url ws://HOST:PORT/ws (--secret S | --secret-file F) [options]

            --url may be given several times (or as a comma-separated list): the nodes of a cluster;
            devices are spread over them in turn, and the server figures are those of all nodes added up.

            scenarios:
              connections  N authenticated signaling connections held idle
                           --connections N (100) --connect-rate PER_S (500)
              calls        1:1 calls at a steady rate: invite, ring, accept, talk, hang up
                           --rate CALLS_PER_S (10) --talk DURATION (5s) --pairs N (enough for the rate)
                           --media none|audio|video (none) --connect-rate PER_S (500)
                           calls start once every pair has signed in; with --media each call sends
                           audio (+ video) both ways through the relay for its talk time (the server
                           needs parley.signaling.calls.media = relay); media options as below
              conference   R rooms x P participants, S of them sending audio + video, all subscribed to all
                           --rooms R (1) --participants P (3) --senders S (P) --join-rate PER_S (5)
                           --screen-sharers N (0: the first N members also share a screen)
                           --screen-bitrate B (250k) --screen-fps N (5)
                           --e2ee (members encrypt end to end: SFrame, keys through signaling)
                           --simulcast (cameras send three layers at 10/33/100 % of --video-bitrate;
                           the summary shows the layer each receiver got of each camera, each second)
                           --capped-receivers N (all: with --receiver-bandwidth, only the last N
                           members of each room receive through the cap)
              media        --audio-bitrate B (32k, 0 = off) --video-bitrate B (300k, 0 = off) --fps N (30)
                           --keyframe-interval D (3s; 0 = keyframes only on PLI)
                           --media-address ADDR (127.0.0.1: where ICE candidates are gathered)
                           --receiver-bandwidth KBIT_S (0 = none: each member receives through a token
                           bucket of this rate, what exceeds it dropped as on a thin link)
              capacity     conference rooms added step by step until a limit breaks; reports the largest load held
                           conference options, plus --step D (20s) --settle D (8s) --rooms-per-step N (1)
                           --max-loss PERCENT (1) --max-p99 MS (50) --max-rooms N (200)

            thresholds (conference, calls, connections; judged at the end, shown in the summary and the report;
            a run that breaks one exits with 99):
              --max-loss PERCENT   media loss over the run, against what the senders sent (e.g. 1%)
              --max-p99 MS         one-way media latency p99 over the run
              --max-jitter MS      mean interarrival jitter of the received streams
              --min-streams PERCENT  streams received, of those the members should have had (e.g. 100%)
              --max-errors N       errors counted during the run

            common options:
              --duration D         how long the load is held, then the run stops by itself (30s); it counts
                                   from when every connection/pair/member is in (see --ramp-timeout)
              --ramp-timeout D     longest wait for the load to be in place before the duration starts (2m)
              --out DIR            where result.json and report.html go (load-results/<scenario>-<time>)
              --token-ttl D        lifetime of the minted tokens (1h)
              --workers N          threads for blocking steps (64)
              --request-timeout D  time allowed for each signaling reply (10s)
              --max-pending-joins N  sign-ins in flight at once (64)
              --server-metrics B   scrape CPU and relay counters from the target's /metrics (true)

            The secret is the server's operator secret (parley.auth.secret); tokens are minted locally.
            The tool connects only to the given URL (and /metrics on the same host and port).
            """;

    private LoadTestMain() {
    }

    public static void main(String[] args) {
        // ice4j and jitsi-utils log through java.util.logging at INFO for every ICE state change
        // of every simulated participant; only problems belong next to the progress line.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
        for (java.util.logging.Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
            h.setLevel(java.util.logging.Level.SEVERE);
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help") || args[0].equals("-h")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        LoadRun run;
        try {
            run = prepare(args, out);
        } catch (IllegalArgumentException e) {
            err.println("parley-load: " + e.getMessage());
            err.println("(java -jar parley-load.jar --help for usage)");
            return 2;
        }
        try {
            return run.execute().thresholdFailed() ? Thresholds.EXIT_FAILED : 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("parley-load: interrupted");
            return 1;
        } catch (Exception e) {
            err.println("parley-load: run failed: " + e);
            return 1;
        }
    }

    static LoadRun prepare(String[] args, PrintStream out) {
        Options o = Options.parse(args);
        Scenario scenario = scenario(o);
        Targets target = Targets.of(o.all("url"));
        byte[] secret = secret(o);
        Duration duration = o.duration("duration", Duration.ofSeconds(30));
        if (duration.isZero()) {
            throw new IllegalArgumentException("--duration must be positive");
        }
        Duration ramp = o.duration("ramp-timeout", Duration.ofMinutes(2));
        Duration ttl = o.duration("token-ttl", Duration.ofHours(1));
        if (ttl.compareTo(duration.plus(ramp).plusMinutes(1)) < 0) {
            throw new IllegalArgumentException("--token-ttl must outlast --ramp-timeout + --duration by a minute");
        }
        String defaultOut = "load-results/" + scenario.name() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = Path.of(o.string("out", defaultOut));
        int workers = o.integer("workers", 64, 1, 4096);
        boolean scrape = !"false".equals(o.string("server-metrics", "true"));
        // capacity's --max-loss and --max-p99 judge each of its steps (a broken step ends the run).
        Thresholds thresholds = scenario instanceof CapacityScenario ? Thresholds.none() : Thresholds.parse(o);
        o.rejectUnknown();
        Map<String, Object> common = new LinkedHashMap<>();
        common.put("duration", Options.human(duration));
        common.put("ramp-timeout", Options.human(ramp));
        common.put("workers", workers);
        common.put("cores on the load machine", Runtime.getRuntime().availableProcessors());
        return new LoadRun(scenario, target, new Tokens(secret, Clock.systemUTC(), ttl), duration, ramp, dir, workers, scrape,
                command(o), common, thresholds, out);
    }

    private static Scenario scenario(Options o) {
        return switch (o.scenario()) {
            case "connections" -> new ConnectionsScenario(o);
            case "calls" -> new CallsScenario(o);
            case "conference" -> new ConferenceScenario(o);
            case "capacity" -> new CapacityScenario(o);
            default -> throw new IllegalArgumentException("unknown scenario '" + o.scenario()
                    + "' (connections, calls, conference, capacity)");
        };
    }

    private static byte[] secret(Options o) {
        String s = o.string("secret", null);
        String file = o.string("secret-file", null);
        if (s != null && file != null) {
            throw new IllegalArgumentException("give --secret or --secret-file, not both");
        }
        if (file != null) {
            try {
                s = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new IllegalArgumentException("--secret-file: cannot read " + file + ": " + e.getMessage());
            }
        }
        if (s == null) {
            s = System.getenv("PARLEY_SECRET");
        }
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("--secret or --secret-file is required (or env PARLEY_SECRET)");
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> command(Options o) {
        List<String> c = new java.util.ArrayList<>(List.of("java", "-jar", "parley-load.jar", o.scenario()));
        o.given().forEach((k, v) -> {
            c.add("--" + k);
            c.add(v);
        });
        return c;
    }
}
