package org.parley.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** One signaling session, as a client app opens it: WebSocket to /ws, {@code hello}, the reply. */
final class SignalingProbe {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SignalingProbe() {
    }

    /** Sends hello with {@code token} and returns the server's first message (welcome or an error). */
    static JsonNode hello(HttpClient http, URI ws, String token, Duration timeout) throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        StringBuilder partial = new StringBuilder();
        WebSocket socket = http.newWebSocketBuilder().connectTimeout(timeout)
                .buildAsync(ws, new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket s, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            first.complete(partial.toString());
                        }
                        s.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket s, int status, String reason) {
                        first.completeExceptionally(new AssertionError("closed " + status + " " + reason));
                        return null;
                    }

                    @Override
                    public void onError(WebSocket s, Throwable error) {
                        first.completeExceptionally(error);
                    }
                }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            String hello = JSON.createObjectNode().put("type", "hello").put("id", "h1").put("token", token)
                    .put("device", "deb-test").toString();
            socket.sendText(hello, true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return JSON.readTree(first.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } finally {
            socket.abort();
        }
    }
}
