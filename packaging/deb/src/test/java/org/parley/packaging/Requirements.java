package org.parley.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * What installing a package for real needs. Under CI (CI=true) a missing requirement fails the
 * test, so that CI can never go green without running it; on a developer's machine it skips.
 */
final class Requirements {

    private Requirements() {
    }

    static void require(boolean met, String what) {
        if (met) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(what);
        }
        Assumptions.abort(what);
    }

    static void root() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            require(Integer.valueOf(0).equals(uid), "dpkg -i needs root; this test runs as uid " + uid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void tool(String command, String debianPackage) {
        boolean found = List.of("/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/").stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir + command)));
        require(found, command + " is missing: apt-get install " + debianPackage + " (.ci/run does)");
    }

    /**
     * The installed service listens on its default ports on every address. That is fine only inside
     * the test JVM's loopback-only network namespace (tools/loopback-netns), where nothing but this
     * test can reach it; anywhere else the test refuses to start it.
     */
    static void loopbackOnlyNetwork() {
        try {
            List<String> others = NetworkInterface.networkInterfaces()
                    .filter(i -> {
                        try {
                            return i.isUp() && !i.isLoopback();
                        } catch (SocketException e) {
                            return true;
                        }
                    })
                    .map(NetworkInterface::getName).toList();
            require(others.isEmpty(), "the installed server would listen beside interfaces " + others
                    + ": run this test through Maven, whose test JVM has a loopback-only network namespace");
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }
}
