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

    /** A beat's content: these members, each heard just now, this node's (a's) latest beat echoed. */
    private Map<String, LeaseBook.Heard> hears(String... members) {
        Map<String, LeaseBook.Heard> heard = new HashMap<>();
        for (String member : members) {
            heard.put(member, new LeaseBook.Heard(0, member.equals("a") ? aSent : 1));
        }
        return heard;
    }

    /** The latest beat a sent. */
    private long aSent = -1;

    /** a sends a beat at {@code now}. */
    private void aBeats(long now) {
        aSent = a.sending(now);
    }

    /** A beat of {@code from} at {@code now}, numbered by its time. */
    private void beat(String from, Map<String, LeaseBook.Heard> hears, long now) {
        a.beat(from, now, hears, now);
    }

    @Test
    void aMemberConfirmsThisNodeWhileItEchoesABeatThisNodeSentWithinTheLease() {
        aBeats(900);
        beat("b", hears("a", "c"), 1_000);
        beat("c", hears("b"), 1_000);

        assertThat(a.confirming(List.of("a", "b", "c"), 1_500))
                .as("c no longer hears a: a one-way cut")
                .containsExactlyInAnyOrder("a", "b");
        assertThat(a.confirming(List.of("a", "b", "c"), 900 + LEASE))
                .as("the beat b echoed was sent a lease ago: a is cut off")
                .containsExactly("a");
    }

    @Test
    void beatsThatWaitedWhileThisNodeWasHungConfirmNothingWhenTheyArrive() {
        aBeats(1_000);
        // a is stopped from 1,100 to 15,000; b's beats of that time (it heard a at first) wait in a's socket.
        beat("b", hears("a"), 15_000);

        assertThat(a.confirming(List.of("a", "b"), 15_000))
                .as("the beat b echoed was sent 14 s ago by a's clock")
                .containsExactly("a");
        aBeats(15_050);
        beat("b", hears("a"), 15_100);
        assertThat(a.confirming(List.of("a", "b"), 15_100))
                .as("b heard a beat a sent after it resumed")
                .contains("b");
    }

    @Test
    void anOlderBeatArrivingLateChangesNothingButANewIncarnationNumbersFromOneAgain() {
        aBeats(1_000);
        long first = aSent;
        aBeats(1_250);
        a.beat("b", 7, Map.of("a", new LeaseBook.Heard(0, aSent)), 1_300);
        a.beat("b", 6, Map.of("a", new LeaseBook.Heard(0, first)), 1_310);

        assertThat(a.confirming(List.of("a", "b"), 1_000 + LEASE))
                .as("b's latest beat echoes the beat a sent at 1,250, not the late one at 1,000")
                .contains("b");
        a.lost("b", 2_000);
        a.joined("b", 3_000);
        a.beat("b", 1, hears(), 3_100);
        assertThat(a.heard(3_200)).containsKey("b");
    }

    @Test
    void aBeatEchoingABeatThisNodeNeverSentConfirmsNothing() {
        aBeats(1_000);
        beat("b", Map.of("a", new LeaseBook.Heard(0, aSent + 5)), 1_100);

        assertThat(a.confirming(List.of("a", "b"), 1_100)).containsExactly("a");
    }

    @Test
    void aMemberNeverHeardConfirmsItIsStillStarting() {
        assertThat(a.confirming(List.of("a", "b"), 1_000_000)).contains("b");
    }

    @Test
    void aMemberThatJoinedAgainConfirmsForAGracePeriodBeforeItsBeatsFlowAgain() {
        aBeats(900);
        beat("b", hears("a"), 1_000);
        a.lost("b", 5_000);
        a.joined("b", 20_000);

        assertThat(a.confirming(List.of("a", "b"), 20_000 + GRACE - 1)).contains("b");
        assertThat(a.confirming(List.of("a", "b"), 20_000 + GRACE)).doesNotContain("b");
        aBeats(20_000 + GRACE - 50);
        beat("b", hears("a"), 20_000 + GRACE);
        assertThat(a.confirming(List.of("a", "b"), 20_000 + GRACE + 1)).contains("b");
    }

    @Test
    void itsBeatsNameTheMembersHeardWithinTheLease() {
        beat("b", hears(), 1_000);
        beat("c", hears(), 2_500);

        assertThat(a.heard(1_000 + LEASE))
                .as("b is a lease old; c's own number is echoed")
                .containsExactly(Map.entry("c", new LeaseBook.Heard(1_000 + LEASE - 2_500, 2_500)));
    }

    @Test
    void aLostMemberStaysUnfencedForALeaseAndAMarginAfterItWasLastHeard() {
        beat("b", hears("a"), 1_000);
        a.lost("b", 4_000);

        assertThat(a.unfenced(1_000 + LEASE + MARGIN - 1)).containsExactly("b");
        assertThat(a.unfenced(1_000 + LEASE + MARGIN)).isEmpty();
    }

    @Test
    void aConfirmedDeathIsTakenOverAtOnce() {
        beat("b", hears("a"), 1_000);
        a.lost("b", 1_100);

        a.dead("b");

        assertThat(a.unfenced(1_100)).isEmpty();
    }

    @Test
    void aMemberBackInTheViewIsNoLongerWaitedFor() {
        beat("b", hears("a"), 1_000);
        a.lost("b", 1_100);

        a.joined("b", 1_200);

        assertThat(a.unfenced(1_200)).isEmpty();
    }

    @Test
    void aLostMemberAnotherMemberStillHearsStaysUnfencedUntilALeaseAndAMarginAfterThat() {
        beat("b", hears("a"), 1_000);
        a.lost("b", 1_500);
        // c still heard b 100 ms before its beat of 2,500 (this node's coordinator excluded b, c's had not yet).
        beat("c", Map.of("a", new LeaseBook.Heard(0, aSent), "b", new LeaseBook.Heard(100, 1)), 2_500);

        assertThat(a.unfenced(2_400 + LEASE + MARGIN - 1)).containsExactly("b");
        assertThat(a.unfenced(2_400 + LEASE + MARGIN)).isEmpty();
    }

    @Test
    void aMemberIsNeverCountedSilentFromBeforeItLastEnteredTheView() {
        beat("b", hears("a"), 1_000);
        a.lost("b", 2_000);
        // This node was hung (or on the other side): b is back in a merged view, then gone again at once.
        a.joined("b", 10_000);
        a.lost("b", 10_300);

        assertThat(a.unfenced(10_000 + LEASE + MARGIN - 1)).containsExactly("b");
        assertThat(a.unfenced(10_000 + LEASE + MARGIN)).isEmpty();
    }

    @Test
    void afterAMergeNoMemberIsCountedSilentFromBeforeIt() {
        beat("b", hears("a"), 1_000);
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
        beat("b", hears("a"), 1_000);
        a.lost("b", 1_500);
        beat("b", hears("a"), 2_000);

        assertThat(a.unfenced(2_000 + LEASE + MARGIN - 1)).containsExactly("b");
        assertThat(a.unfenced(2_000 + LEASE + MARGIN)).isEmpty();
    }

    @Test
    void aCutMemberIsFencedALeaseAndAMarginAfterTheCutHoweverLongTheOthersReportIt() {
        beat("b", hears("a", "c"), 1_000);
        a.lost("b", 4_000);
        // c's beats name b until b is a lease old for c too: their ages put b's last sign of life at the cut.
        beat("c", Map.of("a", new LeaseBook.Heard(0, aSent), "b", new LeaseBook.Heard(900, 1)), 1_900);
        beat("c", Map.of("a", new LeaseBook.Heard(0, aSent), "b", new LeaseBook.Heard(1_900, 1)), 2_900);

        assertThat(a.unfenced(1_000 + LEASE + MARGIN)).isEmpty();
    }
}
