package org.parley.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.parley.relay.api.RelayHttpApi;
import org.parley.relay.debug.FrameCapture;
import org.parley.server.HealthReport;
import org.parley.server.PartState;
import org.parley.signaling.SignalingService;

/**
 * Routes HTTP requests: /health, /metrics, the relay's control API at /api/relay/, the web app's
 * files, and the WebSocket upgrade at /ws, which it hands to signaling by extending the pipeline
 * and stepping out of the way.
 */
@Sharable
public final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Prometheus text exposition format 0.0.4, which every scraper reads. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Supplier<HealthReport> health;
    private final PrometheusMeterRegistry registry;
    private final SignalingService signaling;
    private final Supplier<RelayHttpApi> relayApi;
    private final Supplier<FrameCapture> frameCapture;
    private final Map<String, Counter> requests;
    private final StaticFiles web = new StaticFiles("web", HttpRouter.class.getClassLoader());

    /**
     * {@code signaling} is null on nodes that run without it; /ws then answers 404. {@code relayApi}
     * gives the relay's HTTP control API, or null while it is off; /api/relay/ then answers 404.
     */
    public HttpRouter(Supplier<HealthReport> health, PrometheusMeterRegistry registry, SignalingService signaling,
            Supplier<RelayHttpApi> relayApi) {
        this(health, registry, signaling, relayApi, () -> null);
    }

    /**
     * {@code frameCapture} gives the relay's capture-frames test hook, or null while it is off;
     * {@link FrameCapture#PATH} then answers 404, and always does to clients not on loopback.
     */
    public HttpRouter(Supplier<HealthReport> health, PrometheusMeterRegistry registry, SignalingService signaling,
            Supplier<RelayHttpApi> relayApi, Supplier<FrameCapture> frameCapture) {
        super(false);
        this.frameCapture = frameCapture;
        this.health = health;
        this.registry = registry;
        this.signaling = signaling;
        this.relayApi = relayApi;
        this.requests = Map.of(
                "health", counter(registry, "health"),
                "metrics", counter(registry, "metrics"),
                "ws", counter(registry, "ws"),
                "web", counter(registry, "web"),
                "relay_api", counter(registry, "relay_api"),
                "not_found", counter(registry, "not_found"));
    }

    private static Counter counter(MeterRegistry registry, String route) {
        return Counter.builder("parley.http.requests").tag("route", route)
                .description("HTTP requests by route").register(registry);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals(SignalingService.WEBSOCKET_PATH) && signaling != null) {
            requests.get("ws").increment();
            // A WebSocket is bound by signaling's hello timeout and keepalive, not by HTTP's.
            if (ctx.pipeline().get(RequestTimeouts.class) != null) {
                ctx.pipeline().remove(RequestTimeouts.class);
            }
            signaling.installWebSocket(ctx.pipeline());
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(request);
            return;
        }
        RelayHttpApi api = relayApi.get();
        if (path.startsWith(RelayHttpApi.PREFIX) && api != null && request.decoderResult().isSuccess()) {
            requests.get("relay_api").increment();
            relay(ctx, request, api);
            return;
        }
        try {
            if (!request.decoderResult().isSuccess()) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "text/plain", bytes("bad request\n"));
            } else if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
                respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", bytes("GET only\n"));
            } else if (path.equals("/health")) {
                requests.get("health").increment();
                HealthReport report = health.get();
                respond(ctx, request, report.serving() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "application/json", healthJson(report));
            } else if (path.equals(FrameCapture.PATH) && capturedFramesVisible(ctx)) {
                requests.get("relay_api").increment();
                respond(ctx, request, HttpResponseStatus.OK, "application/json", capturedFrames(request));
            } else if (path.equals("/metrics")) {
                requests.get("metrics").increment();
                respond(ctx, request, HttpResponseStatus.OK, PROMETHEUS_TEXT, bytes(registry.scrape()));
            } else if (web.find(path).isPresent()) {
                requests.get("web").increment();
                StaticFiles.File file = web.find(path).get();
                respond(ctx, request, HttpResponseStatus.OK, file.contentType(), file.body());
            } else {
                requests.get("not_found").increment();
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain", bytes("not found\n"));
            }
        } finally {
            request.release();
        }
    }

    /** The capture hook answers only when it is on, and only to this host: it hands out media. */
    private boolean capturedFramesVisible(ChannelHandlerContext ctx) {
        return frameCapture.get() != null && ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a
                && a.getAddress().isLoopbackAddress();
    }

    private byte[] capturedFrames(FullHttpRequest request) {
        List<String> ssrc = new QueryStringDecoder(request.uri()).parameters().get("ssrc");
        Long only = null;
        if (ssrc != null && !ssrc.isEmpty()) {
            try {
                only = Long.parseLong(ssrc.get(0));
            } catch (NumberFormatException e) {
                only = -1L;
            }
        }
        return frameCapture.get().json(only);
    }

    /**
     * Hands the request to the relay's API. Its answer may come later (the events long poll), so
     * the request is copied and released now and the response written from the channel's loop.
     */
    private static void relay(ChannelHandlerContext ctx, FullHttpRequest request, RelayHttpApi api) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        byte[] body = new byte[request.content().readableBytes()];
        request.content().readBytes(body);
        String method = request.method().name();
        String uri = request.uri();
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        request.release();
        api.handle(method, uri, authorization, body).whenComplete((response, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                write(ctx, keepAlive, false, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain",
                        bytes("relay API failed\n"));
            } else {
                write(ctx, keepAlive, false, HttpResponseStatus.valueOf(response.status()), response.contentType(),
                        response.body());
            }
        }));
    }

    private static byte[] healthJson(HealthReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("status", report.status().wireName());
        root.put("version", report.version());
        ObjectNode parts = root.putObject("parts");
        for (Map.Entry<String, PartState> e : report.parts().entrySet()) {
            parts.put(e.getKey(), e.getValue().wireName());
        }
        return (root.toString() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String contentType, byte[] body) {
        write(ctx, HttpUtil.isKeepAlive(request), request.method() == HttpMethod.HEAD, status, contentType, body);
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, boolean head, HttpResponseStatus status,
            String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
