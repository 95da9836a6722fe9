package org.parley.packaging;

import java.time.Duration;

/**
 * dpkg as the test drives it: install, remove, purge, and the package's state. Other processes on a
 * shared machine may hold dpkg's lock for a while (apt-get installing a package), so a command that
 * found the database locked is tried again, up to a deadline, rather than failing the test.
 */
final class Dpkg {

    static final String PACKAGE = "parley";
    private static final Duration LOCK_WAIT = Duration.ofMinutes(5);

    private Dpkg() {
    }

    static Command install(String deb) {
        return locked("dpkg", "--install", deb);
    }

    static Command remove() {
        return locked("dpkg", "--remove", PACKAGE);
    }

    static Command purge() {
        return locked("dpkg", "--purge", PACKAGE);
    }

    /** dpkg's status words for the package, e.g. "install ok installed"; empty when dpkg knows none. */
    static String status() {
        Command q = Command.run("dpkg-query", "--show", "--showformat=${Status}", PACKAGE);
        return q.succeeded() ? q.output().strip() : "";
    }

    /** True when anything of the package is on the machine, configuration files included. */
    static boolean present() {
        String s = status();
        return !s.isEmpty() && !s.endsWith("not-installed");
    }

    static String conffiles() {
        return Command.run("dpkg-query", "--show", "--showformat=${Conffiles}", PACKAGE).assertSucceeded().output();
    }

    private static Command locked(String... argv) {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (true) {
            Command c = Command.run(argv);
            boolean lockHeld = !c.succeeded() && c.output().contains("lock");
            if (!lockHeld || System.nanoTime() > deadline) {
                return c;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return c;
            }
        }
    }
}
