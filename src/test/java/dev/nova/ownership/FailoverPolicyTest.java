package dev.nova.ownership;

import static dev.nova.ownership.World.IMMEDIATE;
import static dev.nova.ownership.World.N1;
import static dev.nova.ownership.World.N2;
import static dev.nova.ownership.World.N3;
import static dev.nova.ownership.World.PLACEMENT;
import static dev.nova.ownership.World.owned;
import static dev.nova.ownership.World.view;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import dev.nova.model.NodeIdentity;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README, "Automatic failover" and "Manual moves": what the coordinator does about each client. */
class FailoverPolicyTest {

    private static final long NOW = 1_000_000;

    /** n1 coordinates; n2 (us-east, Deribit's primary region) is gone. */
    private static final Members WITHOUT_N2 = view(N1, true, N1, N3);

    private static FailoverPolicy.Decision review(ClientRecord record, Members members, FailoverSettings settings) {
        return FailoverPolicy.review(
                record, List.of(record), members, PLACEMENT, settings, FailoverPolicy.Seen.now(NOW), NOW);
    }

    @Test
    void onlyTheCoordinatorOfAClusteredSideWithQuorumDecides() {
        assertThat(FailoverPolicy.decides(view(N1, true, N1, N2, N3))).isTrue();
        assertThat(FailoverPolicy.decides(view(N2, false, N1, N2, N3))).isFalse();
        assertThat(FailoverPolicy.decides(view(N1, true, false, N1)))
                .as("a minority")
                .isFalse();
        Members alone = new Members(N1, false, List.of("n1"), java.util.Map.of(), true, true);
        assertThat(FailoverPolicy.decides(alone)).as("clustering off").isFalse();
    }

    @Test
    void aClientWhoseOwnerLeftGoesAtOnceToTheNextNodeByPlacementAtTheNextEpoch() {
        FailoverPolicy.Decision decision = review(owned("c", N2, 4), WITHOUT_N2, IMMEDIATE);

        assertThat(decision).isInstanceOf(FailoverPolicy.Reassign.class);
        FailoverPolicy.Reassign reassign = (FailoverPolicy.Reassign) decision;
        assertThat(reassign.target()).as("Deribit's failover region").isEqualTo("n3");
        assertThat(reassign.incarnation()).isEqualTo(N3.incarnation());
        assertThat(reassign.since()).isEqualTo(NOW);
        assertThat(reassign.first()).as("ends the non-persistent subscriptions").isTrue();
        assertThat(reassign.why()).isEqualTo("owner n2 is gone");
    }

    @Test
    void anOwnerLostWithoutAConfirmedDeathIsWaitedForUntilItsLeaseHasRunOut() {
        Members n2MayStillRun =
                new Members(N1, true, WITHOUT_N2.view(), WITHOUT_N2.nodes(), true, true, java.util.Set.of("n2"));

        assertThat(review(owned("c", N2, 4), n2MayStillRun, IMMEDIATE))
                .as("n2 may be cut off and still running c until it notices")
                .isInstanceOf(FailoverPolicy.Waiting.class);
        assertThat(review(owned("c", N2, 4), WITHOUT_N2, IMMEDIATE))
                .as("its lease ran out, or its death was confirmed")
                .isInstanceOf(FailoverPolicy.Reassign.class);
    }

    @Test
    void anOwnerRestartedUnderTheSameNameIsANewIncarnationAndItsClientsMove() {
        NodeIdentity n2Again = new NodeIdentity("n2", "us-east", N2.incarnation() + 5_000);

        FailoverPolicy.Decision decision = review(owned("c", N2, 4), view(N1, true, N1, n2Again, N3), IMMEDIATE);

        assertThat(decision).isInstanceOf(FailoverPolicy.Reassign.class);
    }

    @Test
    void aClientWithALiveOwnerStaysWhereItIs() {
        assertThat(review(owned("c", N2, 4), view(N1, true, N1, N2, N3), IMMEDIATE))
                .isInstanceOf(FailoverPolicy.Nothing.class);
    }

    @Test
    void delayedFailoverWaitsForTheOwnerToComeBackForItsDelay() {
        FailoverSettings delayed = new FailoverSettings(
                true, true, true, Duration.ofSeconds(2), 3, Duration.ofSeconds(10), Duration.ofSeconds(10));
        ClientRecord record = owned("c", N2, 4);

        assertThat(FailoverPolicy.review(
                        record,
                        List.of(record),
                        WITHOUT_N2,
                        PLACEMENT,
                        delayed,
                        new FailoverPolicy.Seen(NOW - 1_999, NOW),
                        NOW))
                .isInstanceOf(FailoverPolicy.Waiting.class);
        assertThat(FailoverPolicy.review(
                        record,
                        List.of(record),
                        WITHOUT_N2,
                        PLACEMENT,
                        delayed,
                        new FailoverPolicy.Seen(NOW - 2_000, NOW),
                        NOW))
                .isInstanceOf(FailoverPolicy.Reassign.class);
    }

    @Test
    void noClientMovesWhenFailoverIsOffOrTheClientWasStopped() {
        FailoverSettings off = new FailoverSettings(
                true, false, false, Duration.ZERO, 3, Duration.ofSeconds(10), Duration.ofSeconds(10));

        assertThat(review(owned("c", N2, 4), WITHOUT_N2, off)).isInstanceOf(FailoverPolicy.Waiting.class);
        assertThat(review(owned("c", N2, 4).stop(), WITHOUT_N2, IMMEDIATE)).isInstanceOf(FailoverPolicy.Waiting.class);
    }

    @Test
    void pinnedAndUnassignedClientsNeverMove() {
        ClientRecord pinned = owned(World.pinned("p"), N2, 4);
        ClientRecord unassigned = owned("u", N2, 4).unassign(ClientState.FAILED, 5);

        assertThat(review(pinned, WITHOUT_N2, IMMEDIATE)).isInstanceOf(FailoverPolicy.Nothing.class);
        assertThat(review(unassigned, WITHOUT_N2, IMMEDIATE)).isInstanceOf(FailoverPolicy.Nothing.class);
    }

    @Test
    void anAttemptThatDoesNotConnectInTimeMovesOnToAnotherNode() {
        ClientRecord attempt = owned("c", N2, 4)
                .failoverAttempt(NOW - 20_000)
                .assign("n3", N3.incarnation(), ClientState.FAILING_OVER, NOW - 10_001);

        FailoverPolicy.Decision decision = review(attempt, view(N1, true, N1, N2, N3), IMMEDIATE);

        assertThat(decision).isInstanceOf(FailoverPolicy.Reassign.class);
        FailoverPolicy.Reassign reassign = (FailoverPolicy.Reassign) decision;
        assertThat(reassign.target())
                .as("not the node that failed to connect it")
                .isEqualTo("n2");
        assertThat(reassign.since()).as("the failover's start").isEqualTo(NOW - 20_000);
        assertThat(reassign.first()).isFalse();
        assertThat(reassign.why()).contains("did not connect within 10000 ms");
    }

    @Test
    void anAttemptWithinItsTimeIsLeftToConnect() {
        ClientRecord attempt = owned("c", N2, 4)
                .failoverAttempt(NOW - 5_000)
                .assign("n3", N3.incarnation(), ClientState.FAILING_OVER, NOW - 5_000);

        assertThat(review(attempt, view(N1, true, N1, N2, N3), IMMEDIATE)).isInstanceOf(FailoverPolicy.Nothing.class);
    }

    @Test
    void theOnlyLiveNodeIsTriedAgainAtANewEpoch() {
        ClientRecord attempt = owned("c", N2, 4)
                .failoverAttempt(NOW - 20_000)
                .assign("n1", N1.incarnation(), ClientState.FAILING_OVER, NOW - 10_001);

        FailoverPolicy.Decision decision = review(attempt, view(N1, true, N1), IMMEDIATE);

        assertThat(decision).isInstanceOf(FailoverPolicy.Reassign.class);
        assertThat(((FailoverPolicy.Reassign) decision).target()).isEqualTo("n1");
    }

    @Test
    void afterMaxAttemptsTheClientIsGivenUp() {
        ClientRecord third = owned("c", N2, 4);
        for (int i = 0; i < IMMEDIATE.maxAttempts(); i++) {
            third = third.failoverAttempt(NOW - 40_000);
        }
        third = third.assign("n3", N3.incarnation(), ClientState.FAILING_OVER, NOW - 10_001);

        FailoverPolicy.Decision decision = review(third, view(N1, true, N1, N2, N3), IMMEDIATE);

        assertThat(decision).isInstanceOf(FailoverPolicy.GiveUp.class);
        assertThat(((FailoverPolicy.GiveUp) decision).since()).isEqualTo(NOW - 40_000);
        assertThat(((FailoverPolicy.GiveUp) decision).why()).startsWith("gave up after 3 attempt(s)");
    }

    @Test
    void aTransferWhoseTargetLeftTheClusterIsEndedAndTheOwnerKeepsTheClient() {
        ClientRecord moving = owned("c", N1, 4).transferTo("n3").withState(ClientState.TRANSFERRING, NOW - 100);

        FailoverPolicy.Decision decision = review(moving, view(N1, true, N1, N2), IMMEDIATE);

        assertThat(decision).isEqualTo(new FailoverPolicy.EndTransfer("the transfer target n3 left the cluster"));
        assertThat(review(moving, view(N1, true, N1, N2, N3), IMMEDIATE)).isInstanceOf(FailoverPolicy.Nothing.class);
    }

    @Test
    void aTransferOpenPastItsTimeoutAndGraceSinceTheCoordinatorSawItIsEnded() {
        long limit =
                IMMEDIATE.transferTimeout().plus(FailoverPolicy.TRANSFER_GRACE).toMillis();
        ClientRecord moving = owned("c", N1, 4).transferTo("n3").withState(ClientState.TRANSFERRING, 0);
        Members all = view(N1, true, N1, N2, N3);

        assertThat(FailoverPolicy.review(
                        moving,
                        List.of(moving),
                        all,
                        PLACEMENT,
                        IMMEDIATE,
                        new FailoverPolicy.Seen(NOW, NOW - limit),
                        NOW))
                .as("the record's own clock (another node's) does not count")
                .isInstanceOf(FailoverPolicy.Nothing.class);
        assertThat(FailoverPolicy.review(
                        moving,
                        List.of(moving),
                        all,
                        PLACEMENT,
                        IMMEDIATE,
                        new FailoverPolicy.Seen(NOW, NOW - limit - 1),
                        NOW))
                .isInstanceOf(FailoverPolicy.EndTransfer.class);
    }
}
