package org.parley.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The redirect keeps the request target's path and query, in either form a client may send it. */
class HttpsRedirectTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/,                               /",
        "/room/abc?invite=x%20y,          /room/abc?invite=x%20y",
        "http://parley.test/a/b?c=d,      /a/b?c=d",
        "http://parley.test:80,           /",
        "'*',                             /"})
    void pathAndQueryAreKept(String target, String expected) {
        assertEquals(expected, HttpsRedirect.pathAndQuery(target));
    }
}
