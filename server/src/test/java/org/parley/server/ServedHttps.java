package org.parley.server;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * HTTPS for a server process under test, as an operator serves it: a certificate for 127.0.0.1
 * from a test CA written to files, the settings that serve it, and clients that trust that CA.
 */
record ServedHttps(Path caFile, SSLContext trust, List<String> settings) {

    static ServedHttps in(Path dir) throws Exception {
        TestPki pki = new TestPki();
        Path certificate = dir.resolve("https-cert.pem");
        Path key = dir.resolve("https-key.pem");
        Path ca = dir.resolve("https-ca.pem");
        pki.write(pki.issue(1, false), certificate, key, TestPki.KeyFormat.PKCS8);
        Files.writeString(ca, pki.caPem());
        return new ServedHttps(ca, pki.clientContext(), List.of("-Dparley.http.tls.certificate=" + certificate,
                "-Dparley.http.tls.private-key=" + key));
    }

    HttpClient client() {
        return HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(10)).build();
    }
}
