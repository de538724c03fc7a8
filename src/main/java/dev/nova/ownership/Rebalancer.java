package dev.nova.ownership;

import dev.nova.NovaException;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.platform.Platform;
import dev.nova.telemetry.ClusterEvent;
import dev.nova.telemetry.ClusterEvents;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves clients between members after placement, by the strategy of {@code nova.loadbalancing.strategy}: the
 * coordinator of a side with quorum, never while a merge settles or a client fails over or moves, takes clients from
 * loaded members to light ones every interval ({@code least_connections}, at most {@code max-moves} a round), or
 * into the region of the market active now, spread over an interval ({@code market_hours}). Every move is a
 * make-before-break transfer ({@link TransferService}), one at a time. A member counts only once it has been in the
 * view for a full interval, so one that flaps causes no churn. Every member tracks that, so a new coordinator knows.
 */
@ApplicationScoped
public class Rebalancer {

    private static final long TICK_MS = 500;
    private static final Logger LOG = Logger.getLogger(Rebalancer.class.getName());

    /** What {@code GET /api/cluster} shows of load balancing. */
    public record Status(
            String strategy,
            Map<String, Integer> loads,
            double imbalance,
            Map<Platform, MarketHours.Active> markets,
            long lastRoundAt) {}

    private final ClusterRuntime cluster;
    private final ClientRegistry clients;
    private final Ownership ownership;
    private final TransferService transfers;
    private final ClusterEvents events;
    private final NovaExecutors executors;
    private final LoadBalancing settings;
    private final FailoverSettings failover;
    /** When this node first saw each member of the current view. */
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();

    private ScheduledExecutorService thread;
    private volatile long lastRoundAt;
    /** Clients whose move failed, and when: left alone for an interval. */
    private final Map<String, Long> failedLately = new ConcurrentHashMap<>();
    /** Since when this node acts (coordinator of a settled side, nothing busy); 0 while it does not. */
    private long actingSince;
    /** The market round under way: the active markets it follows, when it began and its next move is due. */
    private String marketKey;

    private long marketStartedAt;
    private final List<String> marketFailures = new ArrayList<>();

    private long nextMoveAt;
    private final List<String> marketMoves = new ArrayList<>();

    @Inject
    public Rebalancer(
            ClusterRuntime cluster,
            ClientRegistry clients,
            Ownership ownership,
            TransferService transfers,
            ClusterEvents events,
            NovaExecutors executors,
            LoadBalancing settings,
            FailoverSettings failover) {
        this.failover = failover;
        this.cluster = cluster;
        this.clients = clients;
        this.ownership = ownership;
        this.transfers = transfers;
        this.events = events;
        this.executors = executors;
        this.settings = settings;
    }

    protected Rebalancer() {
        this(null, null, null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        if (settings.strategy() == LoadBalancing.Strategy.NONE || !cluster.clustered()) {
            return;
        }
        thread = executors.dedicated("nova-rebalance");
        thread.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        LOG.info(() -> "NOVA-7030 load balancing " + settings.strategy().id() + ": every "
                + settings.interval().toMillis() + " ms, max imbalance " + settings.maxImbalance() + ", max moves "
                + settings.maxMoves());
    }

    /** Starts with the application rather than on first use. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct schedules the work.
    }

    @PreDestroy
    void stop() {
        if (thread != null) {
            thread.shutdownNow();
        }
    }

    /** The members that count (in the view for a full interval), their loads, the imbalance and the markets. */
    public Status status() {
        Set<String> counted = counted(ownership.members(), System.currentTimeMillis());
        Map<String, Integer> loads = Rebalancing.loads(clients.list(), counted);
        Map<Platform, MarketHours.Active> markets = new EnumMap<>(Platform.class);
        MarketHours hours = ownership.placement().markets();
        if (!hours.isEmpty()) {
            Instant now = ownership.placement().clock().instant();
            for (Platform platform : Platform.values()) {
                markets.put(platform, hours.schedule(platform, now));
            }
        }
        return new Status(settings.strategy().id(), loads, Rebalancing.imbalance(loads), markets, lastRoundAt);
    }

    /**
     * Members in the view for at least an interval, as the incarnation they are now (a node restarted under the same
     * name starts again); every member when there is no strategy to protect.
     */
    Set<String> counted(Members members, long now) {
        Set<String> counted = new TreeSet<>();
        for (String member :
                members.clustered() ? members.view() : List.of(members.self().name())) {
            Long since = firstSeen.get(incarnation(members, member));
            if (thread == null
                    || (since != null && now - since >= settings.interval().toMillis())) {
                counted.add(member);
            }
        }
        return counted;
    }

    /** A member as one incarnation: its name and start time (empty before it wrote its node record). */
    private static String incarnation(Members members, String member) {
        return member + "@" + members.incarnationOf(member).map(String::valueOf).orElse("");
    }

    void tick() {
        try {
            if (!cluster.joined()) {
                firstSeen.clear();
                return;
            }
            long now = System.currentTimeMillis();
            Members members = ownership.members();
            Set<String> present = new java.util.HashSet<>();
            for (String member : members.view()) {
                if (members.incarnationOf(member).isPresent()) {
                    present.add(incarnation(members, member));
                }
            }
            firstSeen.keySet().retainAll(present);
            present.forEach(m -> firstSeen.putIfAbsent(m, now));
            failedLately.values().removeIf(at -> now - at >= settings.interval().toMillis());
            if (!mayAct(members)) {
                if (actingSince != 0) {
                    endMarketRound(null, Set.of());
                }
                actingSince = 0;
                return;
            }
            if (actingSince == 0) {
                // Newly in charge (or back in charge after a failover or a merge): the first round one interval on.
                actingSince = now;
                lastRoundAt = now;
            }
            if (settings.strategy() == LoadBalancing.Strategy.LEAST_CONNECTIONS) {
                if (now - lastRoundAt >= settings.interval().toMillis()) {
                    lastRoundAt = now;
                    leastConnectionsRound(counted(members, now));
                }
            } else if (now - actingSince >= settings.interval().toMillis()) {
                marketStep(members, counted(members, now), now);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "NOVA-7031 a rebalance step failed", e);
        }
    }

    /** Only the coordinator of a settled side with quorum, and never during a failover or another move. */
    private boolean mayAct(Members members) {
        return FailoverPolicy.decides(members)
                && ownership.settled()
                && !Rebalancing.busy(clients.list(), members, failover.automatic());
    }

    private void leastConnectionsRound(Set<String> counted) {
        long started = System.currentTimeMillis();
        List<String> moved = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < settings.maxMoves(); i++) {
            Members members = ownership.members();
            if (!mayAct(members)) {
                break;
            }
            Optional<Rebalancing.Move> next = Rebalancing.leastConnections(
                    clients.list(),
                    members,
                    ownership.placement(),
                    counted,
                    settings.maxImbalance(),
                    failedLately.keySet());
            if (next.isEmpty()) {
                break;
            }
            Rebalancing.Move move = next.get();
            if (moved.isEmpty() && failed.isEmpty()) {
                events.publish(ClusterEvent.REBALANCE_STARTED, null, null, "least_connections: " + move.why());
            }
            String failure = move(move);
            if (failure == null) {
                moved.add(describe(move));
            } else {
                failed.add(failure);
            }
        }
        if (!moved.isEmpty() || !failed.isEmpty()) {
            completed(moved, failed, counted, started);
        }
    }

    /**
     * market_hours: the clients outside the active market's region move one at a time, spaced so that the last one
     * is due one interval after the round began (each transfer's own time comes on top when they are many).
     */
    private void marketStep(Members members, Set<String> counted, long now) {
        List<Rebalancing.Move> moves =
                Rebalancing.outOfPlace(clients.list(), members, ownership.placement(), counted, failedLately.keySet());
        String key = activeMarkets();
        if (marketKey != null && (moves.isEmpty() || !key.equals(marketKey))) {
            endMarketRound(key.equals(marketKey) ? null : "the active market changed", counted);
        }
        if (moves.isEmpty()) {
            return;
        }
        if (marketKey == null) {
            marketKey = key;
            marketStartedAt = now;
            nextMoveAt = now;
            lastRoundAt = now;
            events.publish(
                    ClusterEvent.REBALANCE_STARTED,
                    null,
                    null,
                    "market_hours: " + moves.size() + " client(s) to move within "
                            + settings.interval().toMillis() + " ms; "
                            + moves.get(0).why());
        }
        if (now < nextMoveAt) {
            return;
        }
        Rebalancing.Move move = moves.get(0);
        String failure = move(move);
        if (failure == null) {
            marketMoves.add(describe(move));
        } else {
            marketFailures.add(failure);
        }
        long after = System.currentTimeMillis();
        int left = Math.max(1, moves.size() - 1);
        nextMoveAt = after + Math.max(0, (marketStartedAt + settings.interval().toMillis() - after) / left);
    }

    /** Ends the market round under way, if any, with its event. */
    private void endMarketRound(String why, Set<String> counted) {
        if (marketKey != null && (!marketMoves.isEmpty() || !marketFailures.isEmpty())) {
            List<String> failures = new ArrayList<>(marketFailures);
            if (why != null) {
                failures.add(why);
            }
            completed(List.copyOf(marketMoves), failures, counted, marketStartedAt);
        }
        marketKey = null;
        marketMoves.clear();
        marketFailures.clear();
    }

    /** The market active now for each exchange, as text: a round follows one such answer. */
    private String activeMarkets() {
        Instant now = ownership.placement().clock().instant();
        Map<Platform, String> active = new EnumMap<>(Platform.class);
        for (Platform platform : Platform.values()) {
            active.put(
                    platform,
                    ownership
                            .placement()
                            .markets()
                            .active(platform, now)
                            .map(MarketHours.Market::name)
                            .orElse("-"));
        }
        return active.toString();
    }

    /** A transfer, waited for; null when it completed, else why not. */
    private String move(Rebalancing.Move move) {
        try {
            transfers.transfer(move.client(), move.to());
            return null;
        } catch (NovaException e) {
            LOG.warning(() -> "NOVA-7032 rebalance move of client " + move.client() + " to " + move.to() + " failed: "
                    + e.getMessage());
            return move.client() + " to " + move.to() + ": " + e.getMessage();
        }
    }

    private void completed(List<String> moved, List<String> failed, Set<String> counted, long startedAt) {
        Map<String, Integer> loads = Rebalancing.loads(clients.list(), counted);
        events.publish(
                ClusterEvent.REBALANCE_COMPLETED,
                null,
                System.currentTimeMillis() - startedAt,
                moved.size() + " move(s): " + moved + (failed.isEmpty() ? "" : "; failed: " + failed) + "; loads "
                        + loads + ", imbalance "
                        + String.format(java.util.Locale.ROOT, "%.2f", Rebalancing.imbalance(loads)));
    }

    private static String describe(Rebalancing.Move move) {
        return move.client() + " " + move.from() + "->" + move.to();
    }
}
