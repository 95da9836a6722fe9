package org.parley.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.parley.server.TestPki;

/** The PEM files operators bring, read as the listener reads them, and the errors for bad ones. */
class ServerCertificateTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} key as {1}")
    @CsvSource({"true, PKCS8", "true, TRADITIONAL", "false, PKCS8", "false, TRADITIONAL"})
    void readsRsaAndEcKeysInEveryPemForm(boolean rsa, TestPki.KeyFormat format) throws Exception {
        TestPki pki = new TestPki();
        pki.write(pki.issue(42, rsa), dir.resolve("c.pem"), dir.resolve("k.pem"), format);
        String keyPem = Files.readString(dir.resolve("k.pem"));
        String expected = format == TestPki.KeyFormat.PKCS8 ? "BEGIN PRIVATE KEY"
                : rsa ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY";
        assertTrue(keyPem.contains(expected), keyPem);

        ServerCertificate c = ServerCertificate.parse(Files.readAllBytes(dir.resolve("c.pem")), keyPem.getBytes(
                StandardCharsets.US_ASCII));
        assertEquals(42, c.serial().intValue());
        assertEquals(2, c.chain().size(), "leaf and CA");
        assertEquals(rsa ? "RSA" : "EC", c.key().getAlgorithm());
        TlsPolicy.serverContext(c);
    }

    @Test
    void aKeyOfAnotherCertificateIsNamedAsTheKeysFault() throws Exception {
        TestPki pki = new TestPki();
        pki.write(pki.issue(1, false), dir.resolve("c.pem"), dir.resolve("k.pem"), TestPki.KeyFormat.PKCS8);
        pki.write(pki.issue(2, false), dir.resolve("c2.pem"), dir.resolve("k2.pem"), TestPki.KeyFormat.PKCS8);
        ServerCertificate.InvalidException e = assertThrows(ServerCertificate.InvalidException.class,
                () -> ServerCertificate.parse(Files.readAllBytes(dir.resolve("c.pem")),
                        Files.readAllBytes(dir.resolve("k2.pem"))));
        assertTrue(e.aboutKey());
        assertTrue(e.getMessage().contains("does not belong to the certificate"), e.getMessage());
    }

    @Test
    void filesWithoutPemAreRefusedNamingWhichOne() throws Exception {
        TestPki pki = new TestPki();
        pki.write(pki.issue(1, true), dir.resolve("c.pem"), dir.resolve("k.pem"), TestPki.KeyFormat.PKCS8);
        byte[] cert = Files.readAllBytes(dir.resolve("c.pem"));
        byte[] key = Files.readAllBytes(dir.resolve("k.pem"));
        byte[] junk = "not pem at all\n".getBytes(StandardCharsets.US_ASCII);

        ServerCertificate.InvalidException badCert = assertThrows(ServerCertificate.InvalidException.class,
                () -> ServerCertificate.parse(junk, key));
        assertTrue(!badCert.aboutKey(), badCert.getMessage());
        ServerCertificate.InvalidException badKey = assertThrows(ServerCertificate.InvalidException.class,
                () -> ServerCertificate.parse(cert, junk));
        assertTrue(badKey.aboutKey());
        assertTrue(badKey.getMessage().contains("no private key"), badKey.getMessage());
        // The certificate given as the key: a PEM file, but not a key.
        ServerCertificate.InvalidException swapped = assertThrows(ServerCertificate.InvalidException.class,
                () -> ServerCertificate.parse(cert, cert));
        assertTrue(swapped.aboutKey(), swapped.getMessage());
    }
}
