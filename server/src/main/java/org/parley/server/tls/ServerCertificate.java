package org.parley.server.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The web listener's certificate chain and its private key, read from the PEM files an operator's
 * CA tooling writes (certbot's fullchain.pem and privkey.pem, a Kubernetes TLS secret). The key may
 * be PKCS#8 ({@code BEGIN PRIVATE KEY}, RFC 5958), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, RFC 8017
 * Appendix A.1.2) or SEC 1 ({@code BEGIN EC PRIVATE KEY}, RFC 5915); BouncyCastle's PEM parser
 * reads all three, the JDK's key factories then make keys the JDK's TLS engine accepts.
 */
public record ServerCertificate(List<X509Certificate> chain, PrivateKey key) {

    /** The files do not make a usable certificate; the message says why, for the operator. */
    public static final class InvalidException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean aboutKey;

        InvalidException(boolean aboutKey, String message) {
            super(message);
            this.aboutKey = aboutKey;
        }

        InvalidException(boolean aboutKey, String message, Throwable cause) {
            super(message, cause);
            this.aboutKey = aboutKey;
        }

        /** True when the key file is at fault (unreadable, encrypted, of another certificate), false for the certificate file. */
        public boolean aboutKey() {
            return aboutKey;
        }
    }

    /** Key algorithms to try on a PKCS#8 key, with the signature that proves it matches a certificate. */
    private static final List<String[]> ALGORITHMS = List.of(
            new String[] {"RSA", "SHA256withRSA"},
            new String[] {"EC", "SHA256withECDSA"},
            new String[] {"Ed25519", "Ed25519"},
            new String[] {"Ed448", "Ed448"});

    /** Parses both PEM texts and checks the key belongs to the first (leaf) certificate. */
    public static ServerCertificate parse(byte[] certificatePem, byte[] keyPem) throws InvalidException {
        List<X509Certificate> chain = certificates(certificatePem);
        PrivateKeyInfo info = privateKeyInfo(keyPem);
        for (String[] algorithm : ALGORITHMS) {
            PrivateKey key;
            try {
                key = KeyFactory.getInstance(algorithm[0]).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
            } catch (GeneralSecurityException | IOException notThisAlgorithm) {
                continue;
            }
            if (!signsFor(key, algorithm[1], chain.get(0).getPublicKey())) {
                throw new InvalidException(true, "the private key does not belong to the certificate (subject "
                        + chain.get(0).getSubjectX500Principal().getName() + ")");
            }
            return new ServerCertificate(List.copyOf(chain), key);
        }
        throw new InvalidException(true, "unsupported private key algorithm " + info.getPrivateKeyAlgorithm().getAlgorithm()
                + " (RSA, EC, Ed25519 and Ed448 keys are supported)");
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public BigInteger serial() {
        return leaf().getSerialNumber();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** One line for the log: whose certificate, which one, until when. */
    public String describe() {
        return "subject " + leaf().getSubjectX500Principal().getName() + ", serial " + serial().toString(16)
                + ", valid until " + notAfter();
    }

    private static List<X509Certificate> certificates(byte[] pem) throws InvalidException {
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(c -> (X509Certificate) c).toList();
            if (chain.isEmpty()) {
                throw new InvalidException(false, "no certificate in the file (expected PEM, BEGIN CERTIFICATE)");
            }
            return chain;
        } catch (GeneralSecurityException e) {
            throw new InvalidException(false, "not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    private static PrivateKeyInfo privateKeyInfo(byte[] pem) throws InvalidException {
        Object object;
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            object = parser.readObject();
            // certbot and openssl may put EC parameters before the key ("BEGIN EC PARAMETERS").
            while (object != null && !(object instanceof PEMKeyPair || object instanceof PrivateKeyInfo
                    || object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo)) {
                object = parser.readObject();
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidException(true, "not a PEM private key: " + e.getMessage(), e);
        }
        if (object instanceof PEMKeyPair pair) {
            return pair.getPrivateKeyInfo();
        }
        if (object instanceof PrivateKeyInfo info) {
            return info;
        }
        if (object != null) {
            throw new InvalidException(true, "the private key is encrypted; give it unencrypted, readable only by parley");
        }
        throw new InvalidException(true, "no private key in the file (expected PEM, BEGIN PRIVATE KEY, "
                + "BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)");
    }

    /** A signature made with {@code key} verifies with the certificate's public key: they are one pair. */
    private static boolean signsFor(PrivateKey key, String algorithm, PublicKey certified) {
        byte[] probe = "parley key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException differentAlgorithms) {
            return false;
        }
    }
}
