package org.parley.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes {@code result.json} and {@code report.html} into the output directory. */
public final class ResultWriter {

    public static final String JSON_FILE = "result.json";
    public static final String HTML_FILE = "report.html";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultWriter() {
    }

    public static void write(RunResult result, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(JSON_FILE), JSON.writeValueAsString(result), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(HTML_FILE), HtmlReport.render(result), StandardCharsets.UTF_8);
    }

    public static ObjectMapper json() {
        return JSON;
    }
}
