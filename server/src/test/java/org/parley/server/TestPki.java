package org.parley.server;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A certificate authority made for one test, and server certificates it issues for 127.0.0.1 and
 * parley.test, written as the PEM files an operator would configure. Clients trust only this CA.
 */
public final class TestPki {

    /** How a private key is written: the three PEM forms operators meet. */
    public enum KeyFormat {
        /** {@code BEGIN PRIVATE KEY} (RFC 5958). */
        PKCS8,
        /** {@code BEGIN RSA PRIVATE KEY} or {@code BEGIN EC PRIVATE KEY}, as the key's type has it. */
        TRADITIONAL
    }

    /** An issued certificate and its key. */
    public record Issued(X509Certificate certificate, KeyPair keys) {
        public BigInteger serial() {
            return certificate.getSerialNumber();
        }
    }

    private final KeyPair caKeys;
    private final X509Certificate ca;

    public TestPki() throws Exception {
        caKeys = ec();
        X500Name name = new X500Name("CN=Parley Test CA");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(1000),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), name,
                caKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca = sign(builder, caKeys);
    }

    /** A server certificate for 127.0.0.1 and parley.test with {@code serial}, on an RSA or EC key. */
    public Issued issue(long serial, boolean rsa) throws Exception {
        KeyPair keys = rsa ? rsa() : ec();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=Parley Test CA"),
                BigInteger.valueOf(serial), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(30))), new X500Name("CN=parley.test"), keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "parley.test")}));
        return new Issued(sign(builder, caKeys), keys);
    }

    /** Writes the chain (leaf, then the CA) to {@code certificate} and the key to {@code key}. */
    public void write(Issued issued, Path certificate, Path key, KeyFormat format) throws IOException {
        Files.createDirectories(certificate.toAbsolutePath().getParent());
        Files.createDirectories(key.toAbsolutePath().getParent());
        Files.writeString(certificate, pem(issued.certificate()) + pem(ca));
        PrivateKey k = issued.keys().getPrivate();
        Files.writeString(key, format == KeyFormat.PKCS8 ? pem(new JcaPKCS8Generator(k, null))
                : k.getAlgorithm().equals("EC") ? sec1(k) : pem(k));
    }

    /**
     * An EC key as openssl writes {@code BEGIN EC PRIVATE KEY} (RFC 5915), curve included. BC's
     * writer would copy the JDK's inner structure, which leaves the curve to the PKCS#8 wrapper.
     */
    private static String sec1(PrivateKey key) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey whole = new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters());
        return pem(new PemObject("EC PRIVATE KEY", whole.getEncoded()));
    }

    /** The CA certificate alone, PEM. */
    public String caPem() throws IOException {
        return pem(ca);
    }

    /** A client TLS context that trusts this CA only. */
    public SSLContext clientContext() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
