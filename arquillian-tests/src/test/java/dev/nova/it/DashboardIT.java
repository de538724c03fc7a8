package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.ApiUsers;
import dev.nova.it.support.Browser;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.ThreeNodes;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real browser (Debian's headless Chromium, driven by Selenium) against two real nodes: what it
 * shows, what an admin can do from it, what a reader cannot, and what it says when its node dies. The tests share
 * one cluster and run in order: the transfer sets up the failover, which takes the node the reader's page is on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DERIBIT_CHANNEL = "trades.BTC-PERPETUAL.raw";

    private static ExchangeSimulator simulator;
    private static ThreeNodes cluster;
    /** The oldest node: it keeps quorum when the other one dies (an even split goes to the oldest's side). */
    private static LibertyNode oldest;

    private static LibertyNode younger;
    private static Browser admin;
    private static Browser reader;

    @BeforeAll
    static void start() throws Exception {
        simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(20).deribitMinHeartbeatSeconds(1));
        cluster = ThreeNodes.start(2, Fixtures.fastSessions(), WAIT);
        JsonNode nodes = cluster.node(1).http().get("/api/cluster").json().path("nodes");
        String coordinator = StreamSupport.stream(nodes.spliterator(), false)
                .filter(node -> node.path("coordinator").asBoolean())
                .map(node -> node.path("name").asText())
                .findFirst()
                .orElseThrow();
        oldest = cluster.named(coordinator);
        younger = cluster.named(coordinator.equals("n1") ? "n2" : "n1");
        create("dash-deribit", "deribit", simulator.deribitUrl(), DERIBIT_CHANNEL, region(oldest));
        create("dash-binance", "binance", simulator.binanceUrl(), "btcusdt@trade", region(younger));
        admin = Browser.open(oldest.http().base() + "/", ApiUsers.ADMIN, ApiUsers.ADMIN_PASSWORD);
        reader = Browser.open(younger.http().base() + "/", ApiUsers.READER, ApiUsers.READER_PASSWORD);
    }

    @AfterAll
    static void stop() {
        Fixtures.close(simulator, cluster, admin, reader);
    }

    private static String region(LibertyNode node) {
        return ThreeNodes.REGIONS.get(Integer.parseInt(node.name().substring(1)) - 1);
    }

    private static void create(String name, String platform, String url, String channel, String region) {
        Http.Reply reply = oldest.http()
                .post(
                        "/api/clients",
                        "{\"name\":\"" + name + "\",\"platform\":\"" + platform + "\",\"url\":\"" + url
                                + "\",\"preferredRegion\":\"" + region + "\",\"channels\":[\"" + channel + "\"]}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
    }

    private static JsonNode client(String name) {
        return oldest.http().get("/api/clients/" + name).json();
    }

    private static String cellText(Browser browser, String client, String cell) {
        List<WebElement> cells =
                browser.driver().findElements(By.cssSelector("tr[data-client='" + client + "'] td." + cell));
        return cells.isEmpty() ? "" : cells.get(0).getText();
    }

    private static double rate(Browser browser, String client) {
        String text = cellText(browser, client, "rate").trim();
        return text.matches("\\d+(\\.\\d+)?") ? Double.parseDouble(text) : -1;
    }

    @Test
    @Order(0)
    void withoutCredentialsThePageAnswersTheChallengeThatMakesABrowserPromptAndItsHeadersForbidFraming() {
        for (String path : List.of("/", "/index.html", "/dashboard/app.js", "/dashboard/style.css")) {
            Http.Reply reply = oldest.http().anonymous().get(path);
            assertThat(reply.status()).as(path).isEqualTo(401);
            assertThat(reply.authenticate()).as(path).isEqualTo("Basic realm=\"nova\"");
        }
        Http.Reply page =
                oldest.http().as(ApiUsers.READER, ApiUsers.READER_PASSWORD).get("/");
        assertThat(page.text()).contains("<title>Nova</title>");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .as("nothing from elsewhere, never framed")
                .hasValueSatisfying(policy ->
                        assertThat(policy).contains("default-src 'self'").contains("frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    }

    @Test
    @Order(1)
    void thePageShowsTheNodesByRegionAndTheClientsWithTheirOwnersAndStates() {
        admin.await(
                WAIT,
                "both clients connected on the page",
                b -> cellText(b, "dash-deribit", "state").equals("CONNECTED")
                        && cellText(b, "dash-binance", "state").equals("CONNECTED"));
        for (LibertyNode node : List.of(oldest, younger)) {
            WebElement card = admin.driver()
                    .findElement(By.cssSelector(
                            "[data-region='" + region(node) + "'] .node[data-node='" + node.name() + "']"));
            assertThat(card.getText()).as("node card").contains(node.name()).contains("ready");
        }
        assertThat(cellText(admin, "dash-deribit", "owner")).isEqualTo(oldest.name());
        assertThat(cellText(admin, "dash-binance", "owner")).isEqualTo(younger.name());
        assertThat(cellText(admin, "dash-deribit", "subscriptions")).contains(DERIBIT_CHANNEL);
        assertThat(admin.text("coordinator")).isEqualTo(oldest.name());
        // The simulator sends 20 messages a second on the channel: the rate read from the counters is above zero.
        admin.await(WAIT, "a message rate for the Deribit client", b -> rate(b, "dash-deribit") > 0);
        assertThat(admin.driver().findElements(By.cssSelector("tr[data-client='dash-deribit'] button.transfer")))
                .as("an admin gets the actions")
                .hasSize(1);
        Path shot = admin.screenshot("dashboard.png");
        System.out.println("[dashboard] screenshot " + shot + "; " + admin.paintTimings());
    }

    @Test
    @Order(2)
    void aReaderSeesTheClientsButNoActions() {
        reader.await(WAIT, "the clients on the reader's page", b -> cellText(b, "dash-deribit", "state")
                .equals("CONNECTED"));
        assertThat(reader.driver().findElements(By.cssSelector("#clients button, #clients select, #clients input")))
                .as("no action for a reader")
                .isEmpty();
        assertThat(reader.text("me")).contains(ApiUsers.READER).contains("nova-reader");
    }

    @Test
    @Order(3)
    void anActionTheApiRefusesShowsTheProblemsDetail() {
        String refused = "btcusdt-trade";
        String detail = oldest.http()
                .post("/api/clients/dash-binance/subscriptions", "{\"channels\":[\"" + refused + "\"]}")
                .json()
                .path("detail")
                .asText();
        assertThat(detail).isNotBlank();
        WebElement row = admin.driver().findElement(By.cssSelector("tr[data-client='dash-binance']"));
        row.findElement(By.cssSelector("input.subscribe-channel")).sendKeys(refused);
        row.findElement(By.cssSelector("button.subscribe")).click();
        admin.await(WAIT, "the refusal on the page", b -> b.driver()
                .findElement(By.id("error"))
                .isDisplayed());
        assertThat(admin.text("error-text")).isEqualTo("subscribe dash-binance: " + detail);
        admin.driver().findElement(By.id("error-close")).click();
        assertThat(admin.driver().findElement(By.id("error")).isDisplayed()).isFalse();
    }

    @Test
    @Order(4)
    void anAdminTransferMadeFromThePageMovesTheClient() {
        WebElement row = admin.driver().findElement(By.cssSelector("tr[data-client='dash-deribit']"));
        new Select(row.findElement(By.cssSelector("select.transfer-target"))).selectByValue(younger.name());
        row.findElement(By.cssSelector("button.transfer")).click();
        admin.await(
                WAIT,
                "the page shows the new owner",
                b -> cellText(b, "dash-deribit", "owner").equals(younger.name())
                        && cellText(b, "dash-deribit", "state").equals("CONNECTED"));
        assertThat(client("dash-deribit").path("owner").asText())
                .as("the API agrees")
                .isEqualTo(younger.name());
        assertThat(
                        admin.driver()
                                .findElements(
                                        By.cssSelector(
                                                "#timeline li[data-type='nova.cluster.transfer.completed'][data-client='dash-deribit']")))
                .as("the transfer in the timeline")
                .isNotEmpty();
        assertThat(admin.driver().findElement(By.id("error")).isDisplayed())
                .as("no error shown")
                .isFalse();
    }

    @Test
    @Order(5)
    void aClientsOwnerKilledShowsTheFailoverOnTheOpenPageAndThePageOfTheDeadNodeOffersTheOthers() throws Exception {
        assertThat(client("dash-deribit").path("owner").asText()).isEqualTo(younger.name());
        younger.kill9();
        admin.await(
                WAIT,
                "the failover event and the client connected on its new owner, without a reload",
                b -> !b.driver()
                                .findElements(By.cssSelector("#timeline li[data-type='nova.cluster.failover.completed']"
                                        + "[data-client='dash-deribit']"))
                                .isEmpty()
                        && cellText(b, "dash-deribit", "owner").equals(oldest.name())
                        && cellText(b, "dash-deribit", "state").equals("CONNECTED"));
        assertThat(admin.sameDocument()).as("the page was never reloaded").isTrue();
        admin.screenshot("dashboard-after-failover.png");

        reader.await(WAIT, "the reader's page says its node is gone", b -> b.driver()
                .findElement(By.id("lost"))
                .isDisplayed());
        List<String> offered = reader.driver().findElements(By.cssSelector("#lost-others a")).stream()
                .map(a -> a.getAttribute("href"))
                .toList();
        assertThat(offered)
                .as("the other node's address")
                .containsExactly(oldest.http().base() + "/");
        assertThat(reader.text("lost-node")).contains(younger.name());
        reader.screenshot("dashboard-node-lost.png");
    }
}
