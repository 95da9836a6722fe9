package org.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** parley-load.jar run as an operator runs it: a child process that must stop by itself. */
final class LoadToolProcess {

    private LoadToolProcess() {
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("parley.load.jar", "target/parley-load.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " missing: run `mvn verify`, not the test alone");
        }
        return jar;
    }

    /**
     * Runs the tool with {@code args} plus {@code --out out} to its end; its output goes to a log
     * beside {@code out}. Returns that output, failing unless the tool exits with {@code exit}.
     */
    static String run(int exit, Path out, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ServerUnderTest.javaBin(), "-Xmx256m", "-jar",
                jar().toAbsolutePath().toString()));
        cmd.addAll(args);
        cmd.addAll(List.of("--out", out.toString()));
        Path log = out.resolveSibling(out.getFileName() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(ServerUnderTest.timeout().toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("parley-load did not stop by itself:\n" + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(exit, p.exitValue(), output);
        return output;
    }

    /** result.json of a finished run, after checking its HTML report was written. */
    static JsonNode result(Path out) throws IOException {
        assertTrue(Files.size(out.resolve("report.html")) > 2000, "report.html written");
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<svg") && !html.contains("<script"), "inline charts");
        return new ObjectMapper().readTree(out.resolve("result.json").toFile());
    }
}
