package org.parley.server.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The web listener's TLS settings, fixed in code rather than configurable: what Mozilla's
 * "intermediate" guideline and RFC 9325 (BCP 195) recommend for a server browsers of the last
 * years reach. TLS 1.3 and 1.2 only (RFC 8996 deprecates 1.0 and 1.1); for 1.2 only ECDHE key
 * exchange (forward secrecy, RFC 9325 §4.1) with AEAD ciphers (AES-GCM, ChaCha20-Poly1305): no
 * static RSA, no CBC, no finite-field DHE. ALPN offers http/1.1 only (RFC 7301): the listener
 * speaks HTTP/1.1, and a WebSocket upgrade needs it (RFC 6455 §4.1).
 */
public final class TlsPolicy {

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** Most preferred first; the JDK's TLS 1.3 suites are all AEAD with ephemeral key exchange. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsPolicy() {
    }

    /** A server context for {@code certificate} under this policy. */
    public static SslContext serverContext(ServerCertificate certificate) throws SSLException {
        return SslContextBuilder.forServer(certificate.key(), certificate.chain().toArray(new java.security.cert.X509Certificate[0]))
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_1_1))
                .build();
    }
}
