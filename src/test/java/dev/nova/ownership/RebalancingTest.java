package dev.nova.ownership;

import static dev.nova.ownership.World.N1;
import static dev.nova.ownership.World.N2;
import static dev.nova.ownership.World.N3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.model.ClientRecord;
import dev.nova.model.ClientSpec;
import dev.nova.model.NodeIdentity;
import dev.nova.platform.Platform;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RebalancingTest {

    private static final Set<String> ALL = Set.of("n1", "n2", "n3");
    private static final Members VIEW = World.view(N1, true, N1, N2, N3);
    /** Binance has no regions: its clients may run anywhere. */
    private static final Placement ANYWHERE = World.PLACEMENT;

    private static ClientSpec free(String name) {
        return new ClientSpec(name, Platform.BINANCE, "wss://x/stream", false, null, true, null);
    }

    /** {@code counts[i]} free clients on node i+1. */
    private static List<ClientRecord> spread(int... counts) {
        NodeIdentity[] nodes = {N1, N2, N3};
        List<ClientRecord> clients = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            for (int c = 0; c < counts[i]; c++) {
                clients.add(World.owned(free("c" + (i + 1) + "-" + c), nodes[i], 1));
            }
        }
        return clients;
    }

    /** Applies moves as transfers would, until none is left; returns the moves made. */
    private static List<Rebalancing.Move> settle(List<ClientRecord> clients, Set<String> counted, double max) {
        List<Rebalancing.Move> made = new ArrayList<>();
        Map<String, NodeIdentity> byName = Map.of("n1", N1, "n2", N2, "n3", N3);
        for (int i = 0; i < 100; i++) {
            Optional<Rebalancing.Move> move =
                    Rebalancing.leastConnections(clients, VIEW, ANYWHERE, counted, max, Set.of());
            if (move.isEmpty()) {
                return made;
            }
            made.add(move.get());
            clients.replaceAll(r -> r.name().equals(move.get().client())
                    ? World.owned(r.spec(), byName.get(move.get().to()), r.epoch() + 1)
                    : r);
        }
        throw new AssertionError("no end to the moves: " + made);
    }

    private static Map<String, Integer> loads(List<ClientRecord> clients) {
        Map<String, Integer> loads = new HashMap<>();
        clients.forEach(r -> loads.merge(r.owner(), 1, Integer::sum));
        return loads;
    }

    @Test
    void aJoinerOfTwoNodesWithSixClientsGetsTwoInExactlyTwoMoves() {
        List<ClientRecord> clients = spread(3, 3, 0);

        List<Rebalancing.Move> moves = settle(clients, ALL, 0.2);

        assertThat(moves).hasSize(2).allMatch(m -> m.to().equals("n3"));
        assertThat(loads(clients)).containsEntry("n1", 2).containsEntry("n2", 2).containsEntry("n3", 2);
    }

    @Test
    void noMoveWhileEveryNodeIsWithinTheImbalance() {
        // 5/3/3: the mean is 3.67, n1 is 36 % above it.
        assertThat(settle(spread(5, 3, 3), ALL, 0.4)).isEmpty();
        assertThat(settle(spread(5, 3, 3), ALL, 0.3)).hasSize(1);
    }

    @Test
    void aMoveThatOnlySwapsTheLoadIsNotMade() {
        // 2/1/0 with no tolerance: n1 is above the mean (1) by one client; moving one to n3 evens it.
        assertThat(settle(spread(2, 1, 0), ALL, 0.0)).hasSize(1);
        // 3/2/2: moving one would give 2/3/2, no better.
        assertThat(settle(spread(3, 2, 2), ALL, 0.0)).isEmpty();
    }

    @Test
    void aMemberNotCountedYetNeitherGivesNorReceives() {
        List<ClientRecord> clients = spread(3, 3, 0);

        assertThat(settle(clients, Set.of("n1", "n2"), 0.2)).isEmpty();
        assertThat(settle(spread(6, 0, 0), Set.of("n2", "n3"), 0.2)).isEmpty();
    }

    @Test
    void pinnedStoppedAndMovingClientsStay() {
        List<ClientRecord> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(World.owned(World.pinned("p" + i), N1, 1));
        }
        clients.add(World.owned(free("stopped"), N1, 1).stop());
        clients.add(World.owned(free("moving"), N1, 1).transferTo("n2"));

        assertThat(Rebalancing.leastConnections(clients, VIEW, ANYWHERE, ALL, 0.2, Set.of()))
                .isEmpty();
        assertThat(Rebalancing.busy(clients, VIEW, true))
                .as("a transfer is under way")
                .isTrue();
    }

    @Test
    void regionAwareClientsOnlyMoveWithinTheirRegion() {
        // Deribit's primary region is us-east (n2 only): its clients never leave n2, however loaded.
        List<ClientRecord> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(World.owned(World.spec("d" + i), N2, 1));
        }
        clients.add(World.owned(free("f0"), N2, 1));
        clients.add(World.owned(free("f1"), N2, 1));

        List<Rebalancing.Move> moves = settle(clients, ALL, 0.2);

        assertThat(moves).extracting(Rebalancing.Move::client).containsExactlyInAnyOrder("f0", "f1");
        assertThat(clients.stream().filter(r -> r.name().startsWith("d")))
                .allMatch(r -> r.owner().equals("n2"));
    }

    @Test
    void aClientNobodyOwnsHoldsNothingBackButALostOwnerDoesWhileFailoverIsDue() {
        List<ClientRecord> clients = new ArrayList<>(spread(3, 3, 0));
        clients.add(World.owned(free("failed"), N1, 1).unassign(dev.nova.model.ClientState.FAILED, 0));
        assertThat(Rebalancing.busy(clients, VIEW, true)).isFalse();

        Members n3Gone = World.view(N1, true, N1, N2);
        clients.add(World.owned(free("orphan"), N3, 1));
        assertThat(Rebalancing.busy(clients, n3Gone, true))
                .as("a failover is due")
                .isTrue();
        assertThat(Rebalancing.busy(clients, n3Gone, false))
                .as("automatic failover is off: nothing will happen to it")
                .isFalse();
        assertThat(Rebalancing.leastConnections(
                        spread(3, 3, 0), VIEW, ANYWHERE, ALL, 0.2, Set.of("c1-0", "c1-1", "c1-2")))
                .as("every client of the loaded member skipped")
                .map(Rebalancing.Move::from)
                .contains("n2");
    }

    @Test
    void theImbalanceIsTheMostLoadedMembersDistanceAboveTheMean() {
        assertThat(Rebalancing.imbalance(Map.of("n1", 3, "n2", 3, "n3", 0))).isEqualTo(0.5);
        assertThat(Rebalancing.imbalance(Map.of("n1", 2, "n2", 2))).isZero();
        assertThat(Rebalancing.imbalance(Map.of("n1", 0))).isZero();
    }

    @Test
    void marketHoursMoveClientsIntoTheActiveMarketsRegionUnlessTheyPreferOne() {
        MarketHours hours = new MarketHours(List.of(
                new MarketHours.Market("asian", 0, 8, "ap-east", Set.of()),
                new MarketHours.Market("european", 7, 16, "eu-west", Set.of())));
        Clock at = Clock.fixed(Instant.parse("2026-12-06T03:00:00Z"), ZoneOffset.UTC);
        Placement placement = new Placement(Map.of(), hours, at);
        List<ClientRecord> clients = new ArrayList<>(List.of(
                World.owned(free("a"), N1, 1),
                World.owned(free("b"), N2, 1),
                World.owned(free("c"), N3, 1),
                World.owned(new ClientSpec("d", Platform.BINANCE, "wss://x", false, "eu-west", true, null), N1, 1)));

        assertThat(Rebalancing.outOfPlace(clients, VIEW, placement, ALL, Set.of()))
                .extracting(Rebalancing.Move::client, Rebalancing.Move::to)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", "n3"), org.assertj.core.groups.Tuple.tuple("b", "n3"));

        // 07:00: both are active; european opened last and takes the clients.
        Placement later =
                new Placement(Map.of(), hours, Clock.fixed(Instant.parse("2026-12-06T07:00:00Z"), ZoneOffset.UTC));
        assertThat(Rebalancing.outOfPlace(clients, VIEW, later, ALL, Set.of("c")))
                .extracting(Rebalancing.Move::client)
                .as("c failed to move lately: skipped")
                .containsExactly("b");
    }
}
