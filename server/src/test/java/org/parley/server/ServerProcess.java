package org.parley.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server jar run as a child process, as an operator runs it: output captured to a file,
 * bound ports read from its start-up log, stopped with SIGTERM.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENER = Pattern.compile("listening (\\S+) (\\S+) (\\S+):(\\d+)");
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Process process;
    /**
     * The output goes to a file, not a pipe: when a child exits, the JDK drains and swaps its pipe
     * under a reading thread, and the last lines (the shutdown log) can go missing.
     */
    private final Path log;
    /** stderr when kept apart from stdout ({@link #startApart}), else null: {@link #log} has both. */
    private final Path errors;

    private ServerProcess(Process process, Path log, Path errors) {
        this.process = process;
        this.log = log;
        this.errors = errors;
    }

    /** The jar built by this module's package phase; failsafe passes its path. */
    static Path jar() {
        Path jar = Path.of(System.getProperty("parley.server.jar", "target/parley-server.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " missing: run `mvn verify`, not the test alone");
        }
        return jar;
    }

    /** Starts {@code java [jvmArgs] -jar parley-server.jar [args]} in {@code workDir}. */
    static ServerProcess start(Path workDir, List<String> jvmArgs, String... args) throws IOException {
        return start(workDir, Map.of(), jvmArgs, args);
    }

    /** As {@link #start(Path, List, String...)}, with {@code env} added to the inherited environment. */
    static ServerProcess start(Path workDir, Map<String, String> env, List<String> jvmArgs, String... args)
            throws IOException {
        return launch(workDir, List.of(), env, false, jvmArgs, args);
    }

    /**
     * As {@link #start(Path, Map, List, String...)}, with stdout and stderr in files of their own:
     * {@link #stdout()} is what the process wrote to stdout alone.
     */
    static ServerProcess startApart(Path workDir, Map<String, String> environment, List<String> jvmArgs,
            String... args) throws IOException {
        return launch(workDir, List.of(), environment, true, jvmArgs, args);
    }

    /** {@code prefix}: what runs the JVM (e.g. unshare), nothing for a plain child process. */
    private static ServerProcess launch(Path workDir, List<String> prefix, Map<String, String> environment,
            boolean apart, List<String> jvmArgs, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar().toAbsolutePath().toString());
        command.addAll(List.of(args));
        int run = RUNS.incrementAndGet();
        Path log = workDir.resolve("server-" + run + ".log");
        Path errors = apart ? workDir.resolve("server-" + run + ".err") : null;
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectOutput(log.toFile());
        pb.environment().putAll(environment);
        if (apart) {
            pb.redirectError(errors.toFile());
        } else {
            pb.redirectErrorStream(true);
        }
        return new ServerProcess(pb.start(), log, errors);
    }

    /**
     * As {@link #start(Path, List, String...)}, in a network namespace of its own that has loopback
     * and whatever {@code setup} (ip commands) adds, e.g. a veth pair carrying the addresses a host
     * behind NAT or on the internet would have. No route leads off the machine. Other processes join
     * it with {@link #inNamespace(String...)}.
     */
    static ServerProcess startInNamespace(Path workDir, String setup, List<String> jvmArgs, String... args)
            throws IOException {
        return launch(workDir, List.of("unshare", "--net", "--", "sh", "-ec",
                "ip link set lo up; " + setup + "; exec \"$0\" \"$@\""), Map.of(), false, jvmArgs, args);
    }

    /**
     * Namespace set-up for {@link #startInNamespace}: a veth pair (its two ends in the namespace,
     * so nothing leaves it) whose first end carries {@code addresses} ("10.0.0.5/24", ...).
     */
    static String vethWith(String... addresses) {
        StringBuilder sh = new StringBuilder("ip link add v0 type veth peer name v1; ip link set v0 up; ip link set v1 up");
        for (String a : addresses) {
            sh.append("; ip addr add ").append(a).append(" dev v0");
        }
        return sh.toString();
    }

    /** {@code command} prefixed so that it runs in this server's network namespace (nsenter). */
    List<String> inNamespace(String... command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=/proc/" + process.pid() + "/ns/net", "--"));
        full.addAll(List.of(command));
        return full;
    }

    /** Whether some line of the output so far contains {@code text}. */
    boolean printed(String text) {
        return lines().stream().anyMatch(l -> l.contains(text));
    }

    /** Every line of the output so far that contains {@code text}. */
    List<String> linesWith(String text) {
        return lines().stream().filter(l -> l.contains(text)).toList();
    }

    /** Loopback-only settings with every port chosen by the kernel, so tests never collide. */
    static List<String> loopbackFreePorts() {
        return List.of("-Dparley.http.host=127.0.0.1", "-Dparley.http.port=0",
                "-Dparley.relay.bind-address=127.0.0.1", "-Dparley.relay.udp-port=0", "-Dparley.relay.tcp-port=0",
                "-Dparley.turn.listening-ip=127.0.0.1", "-Dparley.turn.listening-port=0");
    }

    /** Waits for a line containing {@code text}; returns it. */
    String awaitLine(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean exited = !process.isAlive();
            for (String line : lines()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            if (exited) {
                break;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no line with '" + text + "' within " + timeout + "; output:\n" + output());
    }

    /** The port of the listener logged as "listening {part} {proto} host:port". */
    int port(String part, String proto) throws InterruptedException {
        awaitLine("up:", Duration.ofSeconds(30));
        for (String line : lines()) {
            Matcher m = LISTENER.matcher(line);
            if (m.find() && m.group(1).equals(part) && m.group(2).equals(proto)) {
                return Integer.parseInt(m.group(4));
            }
        }
        throw new AssertionError("no " + part + " " + proto + " listener logged:\n" + output());
    }

    /** Sends SIGTERM (what Process.destroy does on Linux) and waits for the exit status. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return exitCode(timeout);
    }

    /** Sends a signal by name (TERM, INT) the way an operator's `kill -TERM` does. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("server still running after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    /** The complete lines so far: a line the server is still writing is left out until its newline. */
    private List<String> lines() {
        return read(log);
    }

    private static List<String> read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines written to stdout (with stderr among them unless started with {@link #startApart}). */
    List<String> stdout() {
        return lines();
    }

    String output() {
        String out = String.join("\n", lines());
        return errors == null ? out : out + "\n[stderr]\n" + String.join("\n", read(errors));
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
