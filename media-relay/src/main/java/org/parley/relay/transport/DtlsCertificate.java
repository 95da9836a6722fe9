package org.parley.relay.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A self-signed ECDSA P-256 certificate for DTLS-SRTP. WebRTC authenticates DTLS peers by the
 * certificate fingerprint carried in SDP (RFC 8122 section 5), not by a CA, so one fresh key per
 * relay process is enough.
 */
public final class DtlsCertificate {

    private final AsymmetricKeyParameter privateKey;
    private final Certificate chain;
    private final String fingerprint;

    private DtlsCertificate(AsymmetricKeyParameter privateKey, Certificate chain, String fingerprint) {
        this.privateKey = privateKey;
        this.chain = chain;
        this.fingerprint = fingerprint;
    }

    /** Makes a new key pair and certificate valid for a month around now. */
    public static DtlsCertificate generate(BcTlsCrypto crypto) {
        try {
            SecureRandom random = crypto.getSecureRandom();
            X9ECParameters curve = ECNamedCurveTable.getByName("P-256");
            ECNamedDomainParameters domain = new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, curve);
            ECKeyPairGenerator generator = new ECKeyPairGenerator();
            generator.init(new ECKeyGenerationParameters(domain, random));
            AsymmetricCipherKeyPair pair = generator.generateKeyPair();

            X500Name name = new X500Name("CN=parley-relay");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name,
                    new BigInteger(64, random).abs(), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(30))), name,
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pair.getPublic()));
            var sigAlg = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
            var digAlg = new DefaultDigestAlgorithmIdentifierFinder().find(sigAlg);
            X509CertificateHolder holder = builder.build(
                    new BcECContentSignerBuilder(sigAlg, digAlg).build(pair.getPrivate()));
            byte[] der = holder.getEncoded();
            TlsCertificate tlsCert = crypto.createCertificate(der);
            return new DtlsCertificate(pair.getPrivate(), new Certificate(new TlsCertificate[] {tlsCert}),
                    fingerprintOf(der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the DTLS certificate", e);
        }
    }

    /** The SDP form "AB:CD:..." of the SHA-256 digest of a DER certificate (RFC 8122 section 5). */
    public static String fingerprintOf(byte[] der) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
            StringBuilder sb = new StringBuilder(digest.length * 3);
            HexFormat hex = HexFormat.of().withUpperCase();
            for (int i = 0; i < digest.length; i++) {
                if (i > 0) {
                    sb.append(':');
                }
                sb.append(hex.toHexDigits(digest[i]));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** True when the peer's certificate chain starts with a certificate of the given fingerprint. */
    public static boolean matches(Certificate peer, String expectedSha256) throws IOException {
        if (peer == null || peer.isEmpty() || expectedSha256 == null) {
            return false;
        }
        String actual = fingerprintOf(peer.getCertificateAt(0).getEncoded());
        return actual.equals(expectedSha256.trim().toUpperCase(Locale.ROOT));
    }

    public AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    public Certificate chain() {
        return chain;
    }

    /** SHA-256 fingerprint, upper-case hex pairs joined by ':' as SDP's a=fingerprint wants. */
    public String fingerprint() {
        return fingerprint;
    }
}
