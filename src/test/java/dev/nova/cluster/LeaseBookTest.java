package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** README, "Quorum and partitions": the lease that keeps a cut-off node from running a client twice. */
class LeaseBookTest {

    private static final long LEASE = 2_000;
    private static final long MARGIN = 750;
    private static final long GRACE = 3_000;

    private final LeaseBook a = new LeaseBook("a", LEASE, MARGIN, GRACE);

    /** A beat's content: these members, each heard just now. */
    private static Map<String, Long> hears(String... members) {
        Map<String, Long> heard = new HashMap<>();
        for (String member : members) {
            heard.put(member, 0L);
        }
        return heard;
    }

    @Test
    void aMemberConfirmsThisNodeWhileItsLatestBeatIsFreshAndNamesIt() {
        a.beat("b", hears("a", "c"), 1_000);
        a.beat("c", hears("b"), 1_000);

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
        a.beat("b", hears("a"), 1_000);
        a.lost("b", 5_000);
        a.joined("b", 20_000);

        assertThat(a.confirming(List.of("a", "b"), 20_000 + GRACE - 1)).contains("b");
        assertThat(a.confirming(List.of("a", "b"), 20_000 + GRACE)).doesNotContain("b");
        a.beat("b", hears("a"), 20_000 + GRACE);
        assertThat(a.confirming(List.of("a", "b"), 20_000 + GRACE + 1)).contains("b");
    }

    @Test
    void itsBeatsNameTheMembersHeardWithinTheLease() {
        a.beat("b", hears(), 1_000);
        a.beat("c", hears(), 2_500);

        assertThat(a.heard(1_000 + LEASE)).containsExactly(Map.entry("c", 1_000 + LEASE - 2_500));
    }

    @Test
    void aLostMemberStaysUnfencedForALeaseAndAMarginAfterItWasLastHeard() {
        a.beat("b", hears("a"), 1_000);
        a.lost("b", 4_000);

        assertThat(a.unfenced(1_000 + LEASE + MARGIN - 1)).containsExactly("b");
        assertThat(a.unfenced(1_000 + LEASE + MARGIN)).isEmpty();
    }

    @Test
    void aConfirmedDeathIsTakenOverAtOnce() {
        a.beat("b", hears("a"), 1_000);
        a.lost("b", 1_100);

        a.dead("b");

        assertThat(a.unfenced(1_100)).isEmpty();
    }

    @Test
    void aMemberBackInTheViewIsNoLongerWaitedFor() {
        a.beat("b", hears("a"), 1_000);
        a.lost("b", 1_100);

        a.joined("b", 1_200);

        assertThat(a.unfenced(1_200)).isEmpty();
    }

    @Test
    void aLostMemberAnotherMemberStillHearsStaysUnfencedUntilALeaseAndAMarginAfterThat() {
        a.beat("b", hears("a"), 1_000);
        a.lost("b", 1_500);
        // c still heard b 100 ms before its beat of 2,500 (this node's coordinator excluded b, c's had not yet).
        a.beat("c", Map.of("a", 0L, "b", 100L), 2_500);

        assertThat(a.unfenced(2_400 + LEASE + MARGIN - 1)).containsExactly("b");
        assertThat(a.unfenced(2_400 + LEASE + MARGIN)).isEmpty();
    }

    @Test
    void aMemberIsNeverCountedSilentFromBeforeItLastEnteredTheView() {
        a.beat("b", hears("a"), 1_000);
        a.lost("b", 2_000);
        // This node was hung (or on the other side): b is back in a merged view, then gone again at once.
        a.joined("b", 10_000);
        a.lost("b", 10_300);

        assertThat(a.unfenced(10_000 + LEASE + MARGIN - 1)).containsExactly("b");
        assertThat(a.unfenced(10_000 + LEASE + MARGIN)).isEmpty();
    }

    @Test
    void afterAMergeNoMemberIsCountedSilentFromBeforeIt() {
        a.beat("b", hears("a"), 1_000);
        // This node was hung through a split and saw no view in between: the merge view names b as before.
        a.inView("b", 10_000);
        a.lost("b", 10_300);

        assertThat(a.unfenced(10_000 + LEASE + MARGIN - 1)).containsExactly("b");
        assertThat(a.unfenced(10_000 + LEASE + MARGIN)).isEmpty();
        assertThat(a.confirming(List.of("a", "b"), 10_000))
                .as("no grace from a merge alone")
                .doesNotContain("b");
    }

    @Test
    void aLostMembersOwnBeatsThatStillArriveKeepItUnfenced() {
        a.beat("b", hears("a"), 1_000);
        a.lost("b", 1_500);
        a.beat("b", hears("a"), 2_000);

        assertThat(a.unfenced(2_000 + LEASE + MARGIN - 1)).containsExactly("b");
        assertThat(a.unfenced(2_000 + LEASE + MARGIN)).isEmpty();
    }

    @Test
    void aCutMemberIsFencedALeaseAndAMarginAfterTheCutHoweverLongTheOthersReportIt() {
        a.beat("b", hears("a", "c"), 1_000);
        a.lost("b", 4_000);
        // c's beats name b until b is a lease old for c too: their ages put b's last sign of life at the cut.
        a.beat("c", Map.of("a", 0L, "b", 900L), 1_900);
        a.beat("c", Map.of("a", 0L, "b", 1_900L), 2_900);

        assertThat(a.unfenced(1_000 + LEASE + MARGIN)).isEmpty();
    }
}
