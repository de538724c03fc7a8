package dev.nova.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (Selenium Manager cannot download drivers here),
 * one browser per user. The browser sends the user's HTTP Basic credentials with each request, as it does once a
 * person has answered its prompt (set over the DevTools protocol), so no credentials go into a URL.
 */
public final class Browser implements AutoCloseable {

    private static final String CHROMIUM = System.getProperty("nova.it.chromium", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getProperty("nova.it.chromedriver", "/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of(System.getProperty("nova.it.screenshots", "target/screenshots"));

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Opens {@code url} as {@code user} and waits until the page has read the API once. */
    public static Browser open(String url, String user, String password) {
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM)
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--window-size=1500,950",
                        "--disable-background-timer-throttling",
                        "--disable-renderer-backgrounding");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(CHROMEDRIVER).toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        Browser browser = new Browser(driver);
        try {
            // The credentials a person types into the browser's prompt, which the browser then sends with every
            // request of that origin. Answering the challenge through the DevTools Fetch domain instead (Selenium's
            // HasAuthentication) holds every response until its body is complete, so an EventSource never opens.
            driver.executeCdpCommand("Network.enable", Map.of());
            driver.executeCdpCommand(
                    "Network.setExtraHTTPHeaders",
                    Map.of("headers", Map.of("Authorization", ApiUsers.basic(user, password))));
            driver.get(url);
            browser.await(Duration.ofSeconds(30), "the page's first read of the API and its event stream open", b -> {
                WebElement body = b.driver.findElement(By.tagName("body"));
                return "true".equals(body.getDomAttribute("data-ready"))
                        && "open".equals(body.getDomAttribute("data-events"));
            });
            driver.executeScript("window.novaTestMark = true;");
            return browser;
        } catch (RuntimeException | Error e) {
            browser.close();
            throw e;
        }
    }

    public WebDriver driver() {
        return driver;
    }

    /** Waits until the condition holds, failing with what was awaited. */
    public void await(Duration timeout, String what, Predicate<Browser> condition) {
        try {
            new WebDriverWait(driver, timeout)
                    .withMessage(what)
                    .ignoring(StaleElementReferenceException.class)
                    .until(d -> condition.test(this));
        } catch (TimeoutException e) {
            String name = "failed-" + what.replaceAll("[^A-Za-z0-9]+", "-") + ".png";
            System.out.println("[browser] " + what + ": not seen; " + screenshot(name) + "; console: "
                    + driver.manage().logs().get(LogType.BROWSER).getAll());
            throw e;
        }
    }

    /** The text of the element with this id. */
    public String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    /** Whether the page is still the document {@link #open} loaded (a reload would have dropped the mark). */
    public boolean sameDocument() {
        return Boolean.TRUE.equals(driver.executeScript("return window.novaTestMark === true;"));
    }

    /** The browser's paint timings of the first load: first paint, first contentful paint, and the page's first data. */
    public String paintTimings() {
        Object timings = driver.executeScript("const t = {};"
                + "performance.getEntriesByType('paint').forEach(e => t[e.name] = Math.round(e.startTime));"
                + "const n = performance.getEntriesByType('navigation')[0];"
                + "const d = performance.getEntriesByName('nova-first-data')[0];"
                + "if (d) { t['first-data'] = Math.round(d.startTime); }"
                + "if (n) { t['dom-content-loaded'] = Math.round(n.domContentLoadedEventEnd);"
                + " t['transfer-bytes'] = n.transferSize; }"
                + "return JSON.stringify(t);");
        return String.valueOf(timings);
    }

    /** Saves a screenshot under target/screenshots and returns its path. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SHOTS);
            Path file = SHOTS.resolve(name);
            // Clicking scrolls what it clicks into view: show the page as a person opening it sees it.
            driver.executeScript("window.scrollTo(0, 0);"
                    + "document.querySelectorAll('section').forEach(s => { s.scrollLeft = 0; });");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
