package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** README, "Quorum and partitions": the lease that keeps a cut-off node from running a client twice. */
class LeaseBookTest {

    private static final long LEASE = 2_000;
    private static final long MARGIN = 750;
    private static final long GRACE = 3_000;

    private final LeaseBook a = new LeaseBook("a", LEASE, MARGIN, GRACE);

    @Test
    void aMemberConfirmsThisNodeWhileItsLatestBeatIsFreshAndNamesIt() {
        a.beat("b", Set.of("a", "c"), 1_000);
        a.beat("c", Set.of("b"), 1_000);

        assertThat(a.confirming(List.of("a", "b", "c"), 1_500))
                .as("c no longer hears a: a one-way cut")
                .containsExactlyInAnyOrder("a", "b");
        assertThat(a.confirming(List.of("a", "b", "c"), 1_000 + LEASE))
                .as("b's beat is a lease old: a is cut off")
                .containsExactly("a");
    }

    @Test
    void aMemberNeverHeardConfirmsItIsStillStarting() {
        assertThat(a.confirming(List.of("a", "b"), 1_000_000)).contains("b");
    }

    @Test
    void aMemberThatJoinedAgainConfirmsForAGracePeriodBeforeItsBeatsFlowAgain() {
        a.beat("b", Set.of("a"), 1_000);
        a.lost("b", 5_000);
        a.joined("b", 20_000);

        assertThat(a.confirming(List.of("a", "b"), 20_000 + GRACE - 1)).contains("b");
        assertThat(a.confirming(List.of("a", "b"), 20_000 + GRACE)).doesNotContain("b");
        a.beat("b", Set.of("a"), 20_000 + GRACE);
        assertThat(a.confirming(List.of("a", "b"), 20_000 + GRACE + 1)).contains("b");
    }

    @Test
    void itsBeatsNameTheMembersHeardWithinTheLease() {
        a.beat("b", Set.of(), 1_000);
        a.beat("c", Set.of(), 2_500);

        assertThat(a.heard(1_000 + LEASE)).containsExactly("c");
    }

    @Test
    void aLostMemberStaysUnfencedForALeaseAndAMarginAfterItWasLastHeard() {
        a.beat("b", Set.of("a"), 1_000);
        a.lost("b", 4_000);

        assertThat(a.unfenced(1_000 + LEASE + MARGIN - 1)).containsExactly("b");
        assertThat(a.unfenced(1_000 + LEASE + MARGIN)).isEmpty();
    }

    @Test
    void aConfirmedDeathIsTakenOverAtOnce() {
        a.beat("b", Set.of("a"), 1_000);
        a.lost("b", 1_100);

        a.dead("b");

        assertThat(a.unfenced(1_100)).isEmpty();
    }

    @Test
    void aMemberBackInTheViewIsNoLongerWaitedFor() {
        a.beat("b", Set.of("a"), 1_000);
        a.lost("b", 1_100);

        a.joined("b", 1_200);

        assertThat(a.unfenced(1_200)).isEmpty();
    }
}
