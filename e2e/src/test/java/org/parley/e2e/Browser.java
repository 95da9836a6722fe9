package org.parley.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.WheelInput;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * One headless Chromium (the Debian package, driven by the system chromedriver) with a fake
 * camera and microphone and a fresh profile, showing the Parley app. A missing chromium or
 * chromedriver fails the test: these tests prove WebRTC works, they must not vanish quietly.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(20);

    final String name;
    private final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;

    private Browser(String name, ChromeDriver driver, ChromeDriverService service, Path profile) {
        this.name = name;
        this.driver = driver;
        this.service = service;
        this.profile = profile;
    }

    /** Starts a browser; {@code dir} receives its profile and chromedriver log. */
    static Browser launch(String name, Path dir) throws IOException {
        return launch(name, dir, new String[0]);
    }

    /** As {@link #launch(String, Path)} with more Chromium command-line switches. */
    static Browser launch(String name, Path dir, String... extraArguments) throws IOException {
        requireTools();
        requireLoopbackOnly();
        Path profile = Files.createTempDirectory(dir, "chromium-" + name + "-");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver-" + name + ".log").toFile())
                .build();
        ChromeOptions options = options(profile);
        options.addArguments(extraArguments);
        return start(name, service, options, profile);
    }

    /**
     * Starts a browser inside {@code link}'s namespace, so everything it receives crosses the
     * shaped link. ChromeDriver runs there too (Chromium's DevTools port is on that namespace's
     * loopback) and accepts the test JVM's WebDriver commands on the link's receiver address.
     * The app's origin on the link, {@code origin}, is not a secure context by the browser's rules
     * (only loopback is), so it is declared one for the camera and microphone. {@code
     * extraArguments} are more Chromium command-line switches.
     */
    static Browser launchBehind(ShapedLink link, String name, Path dir, String origin, String... extraArguments)
            throws IOException {
        requireTools();
        Path profile = Files.createTempDirectory(dir, "chromium-" + name + "-");
        int port = 9515; // the namespace is new: nothing else listens in it
        String url = "http://" + link.receiverAddress() + ":" + port;
        ChromeDriverService service = new ChromeDriverService(link.wrapper(dir, CHROMEDRIVER.toString()).toFile(), port,
                Duration.ofSeconds(30), List.of("--port=" + port, "--allowed-ips=" + link.relayAddress(),
                        "--log-path=" + dir.resolve("chromedriver-" + name + ".log")), Map.of()) {
            @Override
            protected java.net.URL getUrl(int p) throws IOException {
                return java.net.URI.create(url).toURL();
            }
        };
        ChromeOptions options = options(profile);
        options.addArguments("--unsafely-treat-insecure-origin-as-secure=" + origin);
        options.addArguments(extraArguments);
        return start(name, service, options, profile);
    }

    private static void requireTools() {
        for (Path tool : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(tool)) {
                throw new AssertionError(tool + " is missing: install the Debian packages chromium and chromium-driver");
            }
        }
    }

    private static ChromeOptions options(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,860",
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--autoplay-policy=no-user-gesture-required");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        return options;
    }

    private static Browser start(String name, ChromeDriverService service, ChromeOptions options, Path profile) {
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
        return new Browser(name, driver, service, profile);
    }

    /**
     * ICE must keep to 127.0.0.1 (nothing may reach the machine's other networks), and Chromium
     * offers no switch to limit it to one interface: the test JVM runs in a loopback-only network
     * namespace instead (tools/loopback-netns/bin/java), inherited by everything it starts.
     */
    private static void requireLoopbackOnly() throws IOException {
        // Besides loopback only the shaped links a test made (ShapedLink: veth pairs to network
        // namespaces on this machine, with nothing beyond them).
        List<String> others = NetworkInterface.networkInterfaces().filter(Browser::upAndNotLoopback)
                .map(NetworkInterface::getName).filter(n -> !n.startsWith(ShapedLink.PREFIX)).toList();
        if (!others.isEmpty()) {
            throw new AssertionError("interfaces besides loopback are visible " + others
                    + ": run the e2e tests through Maven as root, whose failsafe JVM runs in a loopback-only network namespace");
        }
    }

    private static boolean upAndNotLoopback(NetworkInterface nic) {
        try {
            return nic.isUp() && !nic.isLoopback();
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code js} in every page this browser opens from now on, before the page's own scripts. */
    Browser beforeEachPage(String js) {
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", js));
        return this;
    }

    /** Opens the app: {@code query} as in "device=laptop". */
    Browser open(String origin, String query) {
        driver.get(origin + "/?" + query);
        await("app loaded", () -> "true".equals(body("data-ready")));
        return this;
    }

    /** Opens a whole URL as a user clicking a link would, e.g. a sign-in link {@code /#token=...}. */
    Browser openLink(String url) {
        driver.get(url);
        await("app loaded", () -> "true".equals(body("data-ready")));
        return this;
    }

    /** Signs in through the form, as a user pasting a token would. */
    Browser signIn(String token) {
        WebElement field = driver.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        click("signin-button");
        await("signed in", () -> "home".equals(screen()));
        return this;
    }

    String screen() {
        return body("data-screen");
    }

    String body(String attribute) {
        return driver.findElement(By.tagName("body")).getDomAttribute(attribute);
    }

    void awaitScreen(String screen) {
        await("screen " + screen, () -> screen.equals(screen()));
    }

    void click(String id) {
        driver.findElement(By.id(id)).click();
    }

    void type(String id, String text) {
        WebElement e = driver.findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
    }

    String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    String attribute(String id, String attribute) {
        return driver.findElement(By.id(id)).getDomAttribute(attribute);
    }

    boolean visible(String id) {
        List<WebElement> found = driver.findElements(By.id(id));
        return !found.isEmpty() && found.get(0).isDisplayed();
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Runs an async function body (it may await); returns what it returns. */
    Object async(String body, Object... args) {
        String js = "const done = arguments[arguments.length - 1];"
                + "(async (...args) => {" + body + "})(...Array.from(arguments).slice(0, -1))"
                + ".then(done, (e) => done({error: String(e && (e.stack || e))}));";
        Object result = ((JavascriptExecutor) driver).executeAsyncScript(js, args);
        if (result instanceof Map<?, ?> m && m.containsKey("error")) {
            throw new AssertionError(name + ": page script failed: " + m.get("error") + "\n" + consoleLog());
        }
        return result;
    }

    /** getStats() of the call or room on screen, summed (see parley/stats.js). */
    MediaSample stats() {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) async("return await window.parleyApp.stats();");
        return MediaSample.of(m);
    }

    /**
     * Asserts media arrives: framesDecoded and audio packetsReceived both grow within the wait, as
     * a user would see the picture move and hear the sound. Returns the last sample.
     */
    MediaSample awaitMediaFlowing(String what) {
        MediaSample first = stats();
        long deadline = System.nanoTime() + WAIT.toNanos();
        MediaSample now = first;
        while (System.nanoTime() < deadline) {
            sleep(300);
            now = stats();
            if (now.framesDecoded() > first.framesDecoded() + 5 && now.audioPacketsReceived() > first.audioPacketsReceived() + 10) {
                return now;
            }
        }
        throw new AssertionError(name + ": " + what + ": media not flowing: first " + first + ", last " + now
                + "\n" + consoleLog());
    }

    /**
     * In a room: asserts that the camera video and the microphone of each of {@code others} other
     * participants arrive here (per-participant framesDecoded and audio packetsReceived grow).
     */
    void awaitEveryoneFlowing(int others) {
        String js = "const s = await window.parleyApp.stats(); const me = window.parleyApp.room.participantId;"
                + "const out = {}; for (const [k, v] of Object.entries(s.participants || {})) if (k !== me) out[k] = v;"
                + "return out;";
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Number>> first = (Map<String, Map<String, Number>>) async(js);
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Map<String, Number>> now = first;
        while (System.nanoTime() < deadline) {
            sleep(300);
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Number>> m = (Map<String, Map<String, Number>>) async(js);
            now = m;
            long flowing = now.entrySet().stream().filter(e -> {
                Map<String, Number> was = first.getOrDefault(e.getKey(), Map.of());
                return grew(was.get("framesDecoded"), e.getValue().get("framesDecoded"), 5)
                        && grew(was.get("audioPacketsReceived"), e.getValue().get("audioPacketsReceived"), 10);
            }).count();
            if (flowing >= others) {
                return;
            }
        }
        throw new AssertionError(name + ": media of " + others + " others not all flowing: first " + first + ", last "
                + now + "\n" + consoleLog());
    }

    /** In a room: audio packets received so far from one participant. */
    long audioPacketsFrom(String participantId) {
        Object n = async("const s = await window.parleyApp.stats(); const p = (s.participants || {})[args[0]];"
                + "return p ? p.audioPacketsReceived : 0;", participantId);
        return ((Number) n).longValue();
    }

    private static boolean grew(Number before, Number after, long by) {
        long b = before == null ? 0 : before.longValue();
        return after != null && after.longValue() > b + by;
    }

    /** Asserts the screen share shown large decodes frames (getStats of its track). */
    MediaSample awaitScreenShareFlowing(String what) {
        MediaSample first = stats();
        long deadline = System.nanoTime() + WAIT.toNanos();
        MediaSample now = first;
        while (System.nanoTime() < deadline) {
            sleep(300);
            now = stats();
            if (now.screenFramesDecoded() > first.screenFramesDecoded() + 3 && now.screenFramesDecoded() > 5) {
                return now;
            }
        }
        throw new AssertionError(name + ": " + what + ": screen share not decoding: first " + first + ", last " + now
                + "\n" + consoleLog());
    }

    void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(condition.get())) {
                return;
            }
            sleep(50);
        }
        throw new AssertionError(name + ": timed out waiting for " + what + " (screen " + screen() + ", notice '"
                + text("notice") + "')\n" + consoleLog());
    }

    /**
     * Sets the page's viewport to {@code width} x {@code height} CSS pixels (a phone when
     * {@code mobile}: touch-sized layout viewport, meta viewport honoured), as DevTools' device
     * toolbar does; the window keeps its size.
     */
    void viewport(int width, int height, boolean mobile) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of(
                "width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile,
                "screenWidth", width, "screenHeight", height));
        // screen.*, not innerWidth: on a phone a page wider than the screen widens the layout
        // viewport, which is what a test must be able to see (and PageCheck compares against).
        await("viewport " + width + "x" + height, () -> Long.valueOf(width).equals(script("return screen.width;"))
                && Long.valueOf(height).equals(script("return screen.height;")));
    }

    /**
     * Turns the mouse wheel by {@code deltaY} pixels over element {@code id}, as a user scrolls
     * what is under the pointer (WebDriver wheel input: real scroll events, no script).
     */
    void wheel(String id, int deltaY) {
        new Actions(driver).scrollFromOrigin(WheelInput.ScrollOrigin.fromElement(driver.findElement(By.id(id))), 0, deltaY)
                .perform();
    }

    /** The name a screen reader announces for the element (WebDriver "Get Computed Label"). */
    static String accessibleName(WebElement element) {
        return element.getAccessibleName();
    }

    /** A PNG of the viewport scaled by {@code scale} (docs screenshots stay small). */
    void screenshot(Path target, double scale) throws IOException {
        long width = (Long) script("return screen.width;");
        long height = (Long) script("return screen.height;");
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", scale)));
        Files.createDirectories(target.getParent());
        Files.write(target, java.util.Base64.getDecoder().decode((String) shot.get("data")));
    }

    void screenshot(Path target) throws IOException {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The page's console output so far, for failure messages. */
    String consoleLog() {
        try {
            return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString)
                    .collect(Collectors.joining("\n", "--- console of " + name + ":\n", "\n---"));
        } catch (RuntimeException e) {
            return "(console unavailable: " + e + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
