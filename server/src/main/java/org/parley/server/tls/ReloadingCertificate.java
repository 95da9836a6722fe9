package org.parley.server.tls;

import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.parley.server.config.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS context new connections get, kept in step with the certificate and key files. It reads
 * both files every reload interval and compares their bytes with the last ones seen: a
 * WatchService would miss the symlink swaps certbot ({@code live/} links into {@code archive/}) and
 * Kubernetes ({@code ..data} relinked) renew by, and an mtime can stay the same across a copy. A
 * new pair that does not load (half written, key of another certificate) is logged once and the
 * old context stays; the next change is tried again. Connections already open keep the
 * certificate they were made with.
 */
public final class ReloadingCertificate implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingCertificate.class);

    private final TlsConfig config;
    private volatile SslContext context;
    private volatile ServerCertificate current;
    /** The file contents last seen, loaded or refused: unchanged files are not parsed again. */
    private byte[] seenCertificate;
    private byte[] seenKey;
    private ScheduledFuture<?> poll;

    private ReloadingCertificate(TlsConfig config, ServerCertificate first, byte[] certificate, byte[] key)
            throws SSLException {
        this.config = config;
        this.current = first;
        this.context = TlsPolicy.serverContext(first);
        this.seenCertificate = certificate;
        this.seenKey = key;
    }

    /** Loads the files now; fails with a message naming the setting when they are unusable. */
    public static ReloadingCertificate load(TlsConfig config) throws IOException, ServerCertificate.InvalidException {
        byte[] certificate = Files.readAllBytes(config.certificate());
        byte[] key = Files.readAllBytes(config.privateKey());
        ServerCertificate first = ServerCertificate.parse(certificate, key);
        ReloadingCertificate reloading = new ReloadingCertificate(config, first, certificate, key);
        LOG.info("tls certificate loaded from {}: {}", config.certificate(), first.describe());
        return reloading;
    }

    /** Starts polling the files on {@code executor} every reload interval. */
    public synchronized void watch(ScheduledExecutorService executor) {
        long every = config.reloadInterval().toMillis();
        poll = executor.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
    }

    /** The context for a new connection. */
    public SslContext context() {
        return context;
    }

    public ServerCertificate current() {
        return current;
    }

    /** Reads the files and, when either changed, switches to the new pair if it loads. */
    synchronized void reloadIfChanged() {
        byte[] certificate;
        byte[] key;
        try {
            certificate = Files.readAllBytes(config.certificate());
            key = Files.readAllBytes(config.privateKey());
        } catch (IOException | RuntimeException e) {
            // A swap in progress can briefly leave a dangling link: the next poll sees the result.
            LOG.debug("tls certificate files not readable now: {}", e.toString());
            return;
        }
        if (Arrays.equals(certificate, seenCertificate) && Arrays.equals(key, seenKey)) {
            return;
        }
        seenCertificate = certificate;
        seenKey = key;
        try {
            ServerCertificate next = ServerCertificate.parse(certificate, key);
            context = TlsPolicy.serverContext(next);
            current = next;
            LOG.info("tls certificate reloaded from {}: {}", config.certificate(), next.describe());
        } catch (ServerCertificate.InvalidException | SSLException | RuntimeException e) {
            LOG.error("tls certificate not reloaded, new connections keep the old one ({}): {} / {}: {}",
                    current.describe(), TlsConfig.CERTIFICATE, TlsConfig.PRIVATE_KEY, e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (poll != null) {
            poll.cancel(false);
        }
    }
}
