package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.parley.signaling.TestServer;

/**
 * The proof that peer-to-peer calls work for real: two headless Chromium pages sign in, one calls
 * the other, and offer/answer and trickle ICE relayed by signaling bring up WebRTC media that the
 * other side decodes; then a third page pulls the call to another device of the caller and the
 * callee renegotiates with it without leaving the call. Needs the system chromium and chromedriver
 * and fails without them.
 */
class ChromiumPeerToPeerCallTest {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String DRIVER = "/usr/bin/chromedriver";

    @Test
    void twoBrowsersCallEachOtherThroughSignalingThenHandOff() throws Exception {
        assertTrue(new File(CHROMIUM).canExecute() && new File(DRIVER).canExecute(),
                "chromium and chromedriver are required (apt-get install chromium chromium-driver)");
        Path page = Files.createTempFile("parley-call", ".html");
        try (var in = getClass().getResourceAsStream("/p2p/call.html")) {
            Files.write(page, in.readAllBytes());
        }
        try (TestServer server = new TestServer("", Optional.empty())) {
            ChromeDriver bob = browser();
            ChromeDriver alice = null;
            ChromeDriver laptop = null;
            try {
                bob.get(url(page, server, "bob", null));
                await(bob, "return window.parley.signedIn === true", "bob signs in");
                alice = browser();
                alice.get(url(page, server, "alice", "bob"));
                for (ChromeDriver b : List.of(alice, bob)) {
                    await(b, "return window.parley.state === 'connected'", "peer connection connected");
                    await(b, "return await window.framesDecoded() > 10", "video frames decoded");
                    assertEquals(0L, ((List<?>) ((JavascriptExecutor) b).executeScript("return window.parley.errors"))
                            .size(), "no errors in the page");
                }
                assertEquals(1, server.signaling.liveCalls());

                // pull hand-off: alice's laptop takes the call; bob renegotiates with it and stays
                String callId = (String) alice.executeScript("return window.parley.callId");
                laptop = browser();
                laptop.get(url(page, server, "alice", null) + "&device=laptop&pull=" + enc(callId));
                await(alice, "return window.parley.ended === 'transferred'", "old device told transferred");
                for (ChromeDriver b : List.of(laptop, bob)) {
                    await(b, "return window.parley.state === 'connected'", "connected after hand-off");
                    await(b, "return await window.framesDecoded() > 10", "video decoded after hand-off");
                }
                assertEquals(1, server.signaling.liveCalls(), "bob never left the call");
            } finally {
                if (laptop != null) {
                    laptop.quit();
                }
                if (alice != null) {
                    alice.quit();
                }
                bob.quit();
                Files.deleteIfExists(page);
            }
        }
    }

    private static String url(Path page, TestServer server, String user, String call) {
        String q = "?ws=" + enc(server.uri().toString()) + "&token=" + enc(server.token(user))
                + (call == null ? "" : "&call=" + enc(call));
        return page.toUri() + q;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void await(ChromeDriver b, String script, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JavascriptExecutor js = b;
            Object ok = script.startsWith("return await")
                    ? js.executeAsyncScript("const done = arguments[arguments.length - 1]; (async () => { " + script
                            + " })().then(done, () => done(false));")
                    : js.executeScript(script);
            if (Boolean.TRUE.equals(ok)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + " within 30 s; page state: "
                + ((JavascriptExecutor) b).executeScript("return JSON.stringify(window.parley)"));
    }

    private static ChromeDriver browser() throws Exception {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory("parley-chromium"),
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--allow-file-access-from-files");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }
}
