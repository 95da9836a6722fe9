package org.parley.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.parley.server.config.ConfigLoader;
import org.parley.server.config.ServerConfig;
import org.parley.server.reach.Exposure;
import org.parley.server.reach.HostAddresses;
import org.parley.server.reach.PrivateOnlyWarning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import sun.misc.Signal;

/**
 * {@code java -jar parley-server.jar [serve|token|--help|--version] [--config FILE]}.
 *
 * <p>Exit status: 0 after a clean stop, 1 when start-up fails (a port in use), 2 for a usage or
 * configuration error. Errors are one line on stderr naming the bad argument or key.
 */
public final class Main {

    static final int EXIT_OK = 0;
    static final int EXIT_STARTUP_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private static final String USAGE = """
            Usage: parley-server [serve] [--config FILE]      start every enabled part (default)
                   parley-server token --user ID [--name NAME] [--room ROOM]
                                 [--role owner|moderator|participant|listener] [--ttl 6h] [--config FILE]
                   parley-server --help | --version
            Settings: -Dparley.KEY=VALUE before -jar overrides the file and the defaults.
            Without --config, the environment variable PARLEY_CONFIG names the file.""";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Optional<String> logFormat = LogFormat.problem(System::getProperty, System::getenv);
        if (logFormat.isPresent()) {
            err.println("parley: configuration error: " + logFormat.get());
            return EXIT_USAGE;
        }
        CommandLine args;
        try {
            args = CommandLine.parse(List.of(argv), System.getenv());
        } catch (CommandLine.UsageException e) {
            err.println("parley: " + e.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
        }
        switch (args.command()) {
            case "help" -> {
                out.println(USAGE);
                return EXIT_OK;
            }
            case "version" -> {
                out.println("parley " + Version.current());
                return EXIT_OK;
            }
            default -> {
            }
        }
        ServerConfig config;
        try {
            Config raw = ConfigLoader.load(args.configFile());
            config = ServerConfig.from(raw);
            if (args.command().equals("token")) {
                out.println(TokenCommand.run(args, config.auth(), Clock.systemUTC()));
                return EXIT_OK;
            }
        } catch (ConfigException e) {
            err.println("parley: configuration error: " + oneLine(e.getMessage()));
            return EXIT_USAGE;
        } catch (CommandLine.UsageException e) {
            err.println("parley: " + e.getMessage());
            return EXIT_USAGE;
        } catch (UncheckedIOException e) {
            err.println("parley: " + oneLine(e.getMessage()));
            return EXIT_STARTUP_FAILED;
        }
        return serve(config, out, err);
    }

    private static int serve(ServerConfig config, PrintStream out, PrintStream err) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Logger log = LoggerFactory.getLogger(Main.class);
        byte[] secret;
        try {
            secret = config.auth().resolve(true);
        } catch (ConfigException | UncheckedIOException e) {
            err.println("parley: configuration error: " + oneLine(e.getMessage()));
            return EXIT_USAGE;
        }
        ParleyServer server = new ParleyServer(config, secret, Clock.systemUTC());
        try {
            server.start();
        } catch (StartupException e) {
            log.error("start-up failed: {}", e.getMessage());
            err.println("parley: " + e.getMessage());
            return EXIT_STARTUP_FAILED;
        }
        CountDownLatch stop = new CountDownLatch(1);
        // Signals, not a shutdown hook: a hook cannot choose the exit status, and a drained stop is a
        // clean one (exit 0), which is what process supervisors expect from SIGTERM.
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        // After the handlers: a supervisor may stop the server as soon as it logged "up".
        boolean https = config.http().tls().isPresent();
        PrivateOnlyWarning.warnings(config, https, HostAddresses.system()).forEach(log::warn);
        offerSignInLinks(config, https, secret, server.httpPort(), out, log);
        try {
            stop.await();
            log.info("stop requested: draining");
            server.drainAndStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        return EXIT_OK;
    }

    /** Prints the demo users' sign-in links, or logs why there are none (docs/operations.md). */
    private static void offerSignInLinks(ServerConfig config, boolean https, byte[] secret, int httpPort,
            PrintStream out, Logger log) {
        if (!config.demo().signInLinks()) {
            log.info("no demo sign-in links: parley.demo.sign-in-links = false");
            return;
        }
        if (!config.signaling().enabled()) {
            log.info("no demo sign-in links: signaling is off (parley.signaling.enabled = false)");
            return;
        }
        List<String> reasons = Exposure.publicReasons(config, https, HostAddresses.system());
        if (!reasons.isEmpty()) {
            log.info("no demo sign-in links: this server is public ({}); mint tokens with `parley-server token`"
                    + " or your backend (docs/tokens.md)", String.join("; ", reasons));
            return;
        }
        InetAddress host;
        try {
            host = InetAddress.getByName(config.http().host());
        } catch (java.net.UnknownHostException e) {
            host = InetAddress.getLoopbackAddress();
        }
        List<String> lines = DemoSignInLinks.lines(host, httpPort, secret, config.demo().linkLifetime(),
                Clock.systemUTC());
        if (LogFormat.json(System::getProperty, System::getenv)) {
            // a log shipper reads stdout as one JSON object a line: the links go out as log events
            lines.forEach(log::info);
        } else {
            lines.forEach(out::println);
            out.flush();
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
