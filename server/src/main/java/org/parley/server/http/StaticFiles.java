package org.parley.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web app's files, read from the classpath folder {@code web/} (the {@code parley-web} jar).
 * Files are immutable inside a jar, so each is read once and kept in memory; the app is small.
 */
final class StaticFiles {

    /** A file to send: its bytes and Content-Type. */
    record File(byte[] body, String contentType) {
    }

    /**
     * Only plain names of letters, digits, dot, dash and underscore in folders: no "..", no
     * backslashes, no encoded tricks. Anything else is "not found", never a path outside web/.
     */
    private static final Pattern SAFE_PATH = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+");

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "md", "text/markdown; charset=utf-8");

    private final String root;
    private final ClassLoader loader;
    private final Map<String, Optional<File>> cache = new ConcurrentHashMap<>();

    StaticFiles(String root, ClassLoader loader) {
        this.root = root;
        this.loader = loader;
    }

    /** The file for a request path; "/" is index.html. Empty when there is none. */
    Optional<File> find(String path) {
        String p = path.equals("/") ? "/index.html" : path;
        if (!SAFE_PATH.matcher(p).matches()) {
            return Optional.empty();
        }
        return cache.computeIfAbsent(p, this::read);
    }

    private Optional<File> read(String path) {
        try (InputStream in = loader.getResourceAsStream(root + path)) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(new File(in.readAllBytes(), contentType(path)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root + path, e);
        }
    }

    private static String contentType(String path) {
        int dot = path.lastIndexOf('.');
        String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }
}
