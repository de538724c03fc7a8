package dev.nova.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nova.NovaException;
import dev.nova.model.ClientSpec;
import dev.nova.model.ClientState;
import dev.nova.platform.Credentials;
import dev.nova.platform.Platform;
import dev.nova.platform.PlatformAdapter;
import dev.nova.platform.SecretBox;
import dev.nova.platform.TestSecrets;
import dev.nova.platform.binance.BinanceAdapter;
import dev.nova.platform.deribit.DeribitAdapter;
import dev.nova.ratelimit.OutboundGate;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import dev.nova.stream.MarketMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real Tyrus sessions against the exchange simulator, without a server: the simulator's own counters are the
 * oracle of what Nova did at the exchange.
 */
class SimulatorSessionsTest {

    private static final SecretBox SECRETS = TestSecrets.box();

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String BOOK = "book.BTC-PERPETUAL.100ms";
    private static final String TRADES = "trades.BTC-PERPETUAL.raw";

    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    private final ExecutorService control = Executors.newCachedThreadPool();
    /** Frames are handled on a pool of their own, as in Nova, beside Tyrus' reading threads. */
    private final ExecutorService inbound = Executors.newFixedThreadPool(2);

    private final List<MarketMessage> delivered = new CopyOnWriteArrayList<>();
    private ExchangeSimulator simulator;
    private ClientConnection client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.stop().get(5, TimeUnit.SECONDS);
        }
        timers.shutdownNow();
        control.shutdownNow();
        inbound.shutdownNow();
        if (simulator != null) {
            simulator.close();
        }
    }

    private ClientConnection start(ClientSpec spec, int heartbeatSeconds, List<String> channels) {
        return start(
                spec,
                heartbeatSeconds,
                channels,
                spec.platform() == Platform.DERIBIT ? new DeribitAdapter() : new BinanceAdapter());
    }

    private ClientConnection start(
            ClientSpec spec, int heartbeatSeconds, List<String> channels, PlatformAdapter adapter) {
        ConnectionSettings settings = new ConnectionSettings(
                Duration.ofSeconds(5),
                Duration.ofSeconds(3),
                heartbeatSeconds,
                Duration.ofMillis(2500),
                new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500), 2, 0.5, 0),
                Duration.ofSeconds(30),
                1 << 20);
        ConnectionEnvironment env = new ConnectionEnvironment(
                settings,
                new TyrusTransport(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, 5),
                OutboundGate.UNLIMITED,
                delivered::add,
                timers,
                control,
                control,
                inbound,
                control,
                (name, epoch, state, detail) -> {},
                Math::random,
                SECRETS);
        ClientConnection connection = new ClientConnection(spec, 1, adapter, env);
        timers.scheduleWithFixedDelay(
                () -> connection.checkLiveness(System.currentTimeMillis()), 200, 200, TimeUnit.MILLISECONDS);
        connection.start(channels);
        return connection;
    }

    private ClientSpec deribit(Credentials credentials) {
        return new ClientSpec("d1", Platform.DERIBIT, simulator.deribitUrl(), true, null, true, credentials);
    }

    @Test
    void authenticatesSubscribesAndReceivesData() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(20)
                .deribitMinHeartbeatSeconds(1)
                .credentials("acct", "pw"));

        client = start(deribit(SECRETS.seal("acct", "pw")), 1, List.of(BOOK, TRADES));

        await().atMost(WAIT).until(() -> client.state() == ClientState.CONNECTED);
        await().atMost(WAIT)
                .until(() -> delivered.stream()
                                .filter(m -> m.channel().equals(TRADES))
                                .count()
                        >= 5);
        List<ExchangeSimulator.SessionInfo> sessions = simulator.sessions();
        assertThat(sessions).hasSize(1);
        assertThat(sessions.get(0).account()).isEqualTo("acct");
        assertThat(sessions.get(0).channels()).containsExactlyInAnyOrder(BOOK, TRADES);
        assertThat(delivered).filteredOn(m -> m.channel().equals(TRADES)).noneMatch(MarketMessage::gap);
        // Heartbeats every second were answered: the exchange kept the session for several intervals.
        Thread.sleep(2500);
        assertThat(simulator.heartbeatCloses()).isZero();
        assertThat(simulator.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void newCredentialsAuthenticateTheLiveSessionAgainAndARefusedKeyLeavesTheOldOneInUse() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(50)
                .deribitMinHeartbeatSeconds(1)
                .credentials("acct", "pw")
                .credentials("acct-2", "pw-2"));
        client = start(deribit(SECRETS.seal("acct", "pw")), 1, List.of(TRADES));
        await().atMost(WAIT).until(() -> client.state() == ClientState.CONNECTED && delivered.size() >= 3);

        assertThatThrownBy(() -> client.rotateCredentials(SECRETS.seal("acct-2", "wrong"))
                        .get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(NovaException.class, refused -> assertThat(refused.kind())
                        .isEqualTo(NovaException.Kind.CONFLICT))
                .hasMessageContaining("invalid_credentials");
        assertThat(simulator.sessions())
                .extracting(ExchangeSimulator.SessionInfo::account)
                .containsExactly("acct");

        client.rotateCredentials(SECRETS.seal("acct-2", "pw-2")).get(5, TimeUnit.SECONDS);
        assertThat(simulator.sessions())
                .extracting(ExchangeSimulator.SessionInfo::account)
                .as("the same session, now the new account")
                .containsExactly("acct-2");
        assertThat(simulator.connectionsAccepted()).isEqualTo(1);
        int before = delivered.size();
        await().atMost(WAIT).until(() -> delivered.size() > before + 5);
        assertThat(delivered).noneMatch(MarketMessage::gap);

        // A reconnect authenticates with the new key.
        simulator.dropAll();
        await().atMost(WAIT)
                .until(() -> simulator.connectionsAccepted() == 2 && client.state() == ClientState.CONNECTED);
        assertThat(simulator.sessions())
                .extracting(ExchangeSimulator.SessionInfo::account)
                .containsExactly("acct-2");
    }

    @Test
    void aDroppedConnectionComesBackWithExactlyOneSubscribedSession() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults().messagesPerSecond(20));
        client = start(deribit(null), 10, List.of(BOOK, TRADES));
        await().atMost(WAIT).until(() -> client.state() == ClientState.CONNECTED);

        simulator.dropAll();

        await().atMost(WAIT)
                .until(() -> simulator.connectionsAccepted() == 2 && client.state() == ClientState.CONNECTED);
        assertThat(simulator.sessions()).hasSize(1);
        assertThat(simulator.subscribers(TRADES)).isEqualTo(1);
        assertThat(simulator.subscribers(BOOK)).isEqualTo(1);
        assertThat(simulator.subscribeRequests(TRADES)).isEqualTo(2);
        int before = delivered.size();
        await().atMost(WAIT).until(() -> delivered.size() > before + 5);
        assertThat(client.stats().reconnects()).isEqualTo(1);
    }

    @Test
    void tradesMissedWhileDisconnectedAreReportedAsAGap() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults().messagesPerSecond(50));
        client = start(deribit(null), 10, List.of(TRADES));
        await().atMost(WAIT).until(() -> delivered.size() >= 3);

        simulator.dropAll();

        await().atMost(WAIT).until(() -> delivered.stream().anyMatch(MarketMessage::gap));
        assertThat(client.stats().gaps()).isGreaterThanOrEqualTo(1);
        List<Long> sequences = delivered.stream().map(MarketMessage::sequence).toList();
        assertThat(sequences).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aFrozenExchangeIsDetectedAsStaleAndReconnected() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults().messagesPerSecond(20));
        client = start(deribit(null), 10, List.of(TRADES));
        await().atMost(WAIT).until(() -> client.state() == ClientState.CONNECTED && !delivered.isEmpty());

        simulator.freezeAll(true);

        await().atMost(WAIT)
                .until(() -> simulator.connectionsAccepted() == 2 && client.state() == ClientState.CONNECTED);
        assertThat(client.stats().lastError()).startsWith("stale feed");
        await().atMost(WAIT).until(() -> simulator.subscribers(TRADES) >= 1);
    }

    @Test
    void malformedFramesAreCountedAndTheSessionStays() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults().messagesPerSecond(0));
        client = start(deribit(null), 10, List.of(TRADES));
        await().atMost(WAIT).until(() -> client.state() == ClientState.CONNECTED);

        simulator.sendRaw("deribit", "{this is not json");
        simulator.sendRaw("deribit", "{\"jsonrpc\":\"2.0\",\"method\":\"mystery\"}");
        simulator.publish(TRADES, 1);

        await().atMost(WAIT).until(() -> delivered.size() == 1);
        assertThat(client.stats().malformed()).isEqualTo(2);
        assertThat(simulator.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void throttlingByTheExchangeIsSurvivedWithBackoff() throws Exception {
        // Two requests' worth of credits, refilled slowly: the third request of a session is answered 10028.
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(0)
                .deribitMinHeartbeatSeconds(1)
                .deribitCredits(1000, 400, 500));
        client = start(deribit(null), 1, List.of(TRADES));
        await().atMost(WAIT).until(() -> client.state() == ClientState.CONNECTED);

        client.subscribe(List.of(BOOK));

        await().atMost(WAIT).until(() -> simulator.rateLimited() >= 1);
        await().atMost(WAIT)
                .until(() -> client.state() == ClientState.CONNECTED
                        && client.channels().get(BOOK) == ChannelStatus.ACTIVE);
        assertThat(client.stats().lastError()).isNotNull();
        assertThat(simulator.sessions()).hasSize(1);
    }

    @Test
    void binanceStreamsAreShardedAndServerPingsAnswered() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(10)
                .binanceLimits(5, 2)
                .binancePing(Duration.ofMillis(500), Duration.ofSeconds(2)));
        ClientSpec spec = new ClientSpec("b1", Platform.BINANCE, simulator.binanceUrl(), true, null, true, null);

        client =
                start(spec, 1, List.of("btcusdt@trade", "ethusdt@trade", "bnbusdt@depth@100ms"), new BinanceAdapter(2));

        await().atMost(WAIT).until(() -> client.state() == ClientState.CONNECTED);
        assertThat(simulator.sessions()).hasSize(2);
        assertThat(simulator.sessions())
                .allSatisfy(s -> assertThat(s.channels()).hasSizeLessThanOrEqualTo(2));
        await().atMost(WAIT)
                .until(() -> delivered.stream()
                                .map(MarketMessage::channel)
                                .distinct()
                                .count()
                        == 3);
        assertThat(delivered).noneMatch(MarketMessage::gap);
        assertThat(simulator.heartbeatCloses()).isZero();
        assertThat(simulator.messageLimitCloses()).isZero();
    }
}
