package org.parley.packaging;

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

/**
 * The installed server started the way its systemd unit starts it, without systemd: ExecStart run
 * without a shell, as User=/Group= (setpriv, dropping root and forbidding new privileges as
 * NoNewPrivileges= does), in WorkingDirectory=, with systemd's small environment plus Environment=,
 * with LimitNOFILE= as its open-file limit (prlimit), and inside the read-only file system that
 * ProtectSystem=strict, ReadWritePaths= and PrivateTmp= make ({@link ServiceSandbox}). Output goes
 * to a file, as the journal would hold it.
 */
final class InstalledService implements AutoCloseable {

    private final Process process;
    private final Path log;

    private InstalledService(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static InstalledService start(SystemdUnit unit, Path log) throws IOException {
        String user = unit.service("User");
        String group = unit.value("Service", "Group").orElse(user);
        long nofile = Math.min(Long.parseLong(unit.service("LimitNOFILE")), hardOpenFileLimit());
        List<String> command = new ArrayList<>(ServiceSandbox.prefix(unit));
        command.addAll(List.of("prlimit", "--nofile=" + nofile + ":" + nofile, "--",
                "setpriv", "--reuid=" + user, "--regid=" + group, "--init-groups", "--no-new-privs", "--"));
        command.addAll(unit.execStart());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(Path.of(unit.service("WorkingDirectory")).toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> env = builder.environment();
        env.clear();
        // What systemd gives a service with User= (systemd.exec(7), "Environment variables in spawned
        // processes"), then the unit's own assignments.
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin");
        env.put("USER", user);
        env.put("LOGNAME", user);
        env.put("HOME", Command.run("getent", "passwd", user).assertSucceeded().output().split(":")[5]);
        env.put("SHELL", "/usr/sbin/nologin");
        env.putAll(unit.environment());
        return new InstalledService(builder.start(), log);
    }

    /**
     * This process's hard open-file limit. A sandbox (a container without CAP_SYS_RESOURCE) may hold
     * it below LimitNOFILE, and then systemd could not raise it either: the service gets what there is.
     */
    private static long hardOpenFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String hard = line.substring("Max open files".length()).strip().split("\\s+")[1];
                return hard.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(hard);
            }
        }
        throw new IOException("/proc/self/limits names no open-file limit");
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Sends SIGTERM, as {@code systemctl stop} does, and waits for the exit status. */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("service still running " + timeout + " after SIGTERM:\n" + output());
        }
        return process.exitValue();
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        // unshare, sh, prlimit and setpriv each exec the next, so this process is the server itself.
        process.destroyForcibly();
    }
}
