package org.parley.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StaticFilesTest {

    private final StaticFiles files = new StaticFiles("web", StaticFilesTest.class.getClassLoader());

    @Test
    void rootIsTheIndexPage() {
        StaticFiles.File index = files.find("/").orElseThrow();
        assertEquals("text/html; charset=utf-8", index.contentType());
        assertTrue(new String(index.body(), StandardCharsets.UTF_8).contains("<title>Parley</title>"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../logback.xml", "/..", "/./index.html", "//index.html", "/a\\b", "/%2e%2e/x",
        "/missing.html", "", "index.html", "/.hidden"})
    void pathsOutsideTheAppOrMissingAreNotFound(String path) {
        assertTrue(files.find(path).isEmpty(), path);
    }
}
