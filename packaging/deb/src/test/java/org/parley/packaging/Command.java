package org.parley.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A system command run to completion: its exit status and its output (stdout and stderr together). */
record Command(List<String> argv, int exitCode, String output) {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    static Command run(String... argv) {
        return run(Map.of(), argv);
    }

    /** Runs {@code argv} with {@code env} added to this JVM's environment; fails the test on a hang. */
    static Command run(Map<String, String> env, String... argv) {
        try {
            Path out = Files.createTempFile("parley-cmd", ".out");
            try {
                ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                builder.environment().putAll(env);
                Process p = builder.start();
                if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", argv) + " still running after " + TIMEOUT);
                }
                return new Command(List.of(argv), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + String.join(" ", argv), e);
        }
    }

    boolean succeeded() {
        return exitCode == 0;
    }

    /** Fails the test, quoting the command and what it printed, unless it exited 0. */
    Command assertSucceeded() {
        if (exitCode != 0) {
            throw new AssertionError(this.describe());
        }
        return this;
    }

    String describe() {
        return String.join(" ", argv) + " exited " + exitCode + ":\n" + output;
    }
}
