package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ViewHistoryTest {

    private static final long STABLE_AFTER = 10_000;

    private final ViewHistory views = new ViewHistory(STABLE_AFTER);

    @Test
    void theJoinViewIsRecordedOnceAndNeverOverwritesALaterView() {
        assertThat(views.snapshot().quorum()).as("nothing recorded yet").isFalse();

        assertThat(views.first(List.of("a"), 1).quorum()).isTrue();
        views.update(List.of("a", "b"), 2);
        views.first(List.of("a"), 3);

        assertThat(views.snapshot().current()).containsExactly("a", "b");
    }

    @Test
    void aNodeRestoredAloneHoldsNoQuorumUntilAMajorityOfItsLastMembershipIsBackAndThenSettlesItsRecords() {
        views.restore(List.of("a", "b", "c"));

        ViewHistory.Snapshot alone = views.first(List.of("c"), 1);
        assertThat(alone.quorum())
                .as("judged against its previous run's members")
                .isFalse();
        assertThat(alone.stable()).containsExactly("a", "b", "c");
        assertThat(alone.settling()).isZero();

        ViewHistory.Snapshot two = views.update(List.of("c", "a"), 2);
        assertThat(two.quorum()).isTrue();
        assertThat(two.settled())
                .as("its records settle with the others' first")
                .isFalse();
        assertThat(views.restoring(two.settling())).isTrue();

        views.settled(two.settling());
        ViewHistory.Snapshot merged = views.update(List.of("c", "a", "b"), 3, true);
        assertThat(views.restoring(merged.settling()))
                .as("a later merge is an ordinary one")
                .isFalse();
    }

    @Test
    void aNodeRestoredIntoAViewThatHoldsQuorumSettlesAtItsFirstViewAnEmptyOneDoesNot() {
        views.restore(List.of("a", "b", "c"));
        ViewHistory.Snapshot joined = views.first(List.of("a", "b", "c"), 1);
        assertThat(joined.quorum()).isTrue();
        assertThat(joined.settling()).isPositive();
        assertThat(views.restoring(joined.settling())).isTrue();

        ViewHistory empty = new ViewHistory(STABLE_AFTER);
        ViewHistory.Snapshot first = empty.first(List.of("a", "b", "c"), 1);
        assertThat(first.settled()).isTrue();
        assertThat(empty.restoring(first.settling())).isFalse();
    }

    @Test
    void aRestoreAfterTheFirstViewIsIgnored() {
        views.first(List.of("a"), 1);
        views.restore(List.of("a", "b", "c"));

        assertThat(views.snapshot().stable()).containsExactly("a");
        assertThat(views.snapshot().quorum()).isTrue();
    }

    @Test
    void aJoinMovesTheReferenceAtOnceALossOnlyOnceTheViewHasBeenQuietForStableAfter() {
        views.update(List.of("a"), 1);
        assertThat(views.update(List.of("a", "b", "c"), 2).stable()).containsExactly("a", "b", "c");

        ViewHistory.Snapshot afterCrash = views.update(List.of("a", "b"), 3);
        assertThat(afterCrash.quorum()).isTrue();
        assertThat(afterCrash.stable()).as("held: this may be a partition").containsExactly("a", "b", "c");

        assertThat(views.settle(3 + STABLE_AFTER - 1))
                .as("not quiet long enough")
                .isEmpty();
        assertThat(views.settle(3 + STABLE_AFTER).orElseThrow().stable()).containsExactly("a", "b");
        assertThat(views.settle(3 + 2 * STABLE_AFTER))
                .as("nothing left to settle")
                .isEmpty();
    }

    @Test
    void aNodeCutOffAloneKeepsNoQuorumWhateverOrderItSeesTheOthersLeaveIn() {
        views.update(List.of("a", "b", "c"), 1);

        assertThat(views.update(List.of("a", "b"), 2).quorum())
                .as("c seems gone first")
                .isTrue();
        assertThat(views.settle(2 + 3_000)).isEmpty();
        ViewHistory.Snapshot alone = views.update(List.of("a"), 2 + 3_000);

        assertThat(alone.quorum())
                .as("judged against [a, b, c], not against [a, b]")
                .isFalse();
        assertThat(alone.stable()).containsExactly("a", "b", "c");
    }

    @Test
    void crashesFurtherApartThanStableAfterEachCountAgainstTheViewBeforeThem() {
        views.update(List.of("a", "b", "c"), 1);
        views.update(List.of("b", "c"), 2);
        views.settle(2 + STABLE_AFTER);

        assertThat(views.update(List.of("b"), 3 + STABLE_AFTER).quorum())
                .as("half of [b, c] with its oldest member")
                .isTrue();
    }

    @Test
    void aMinorityViewNeverBecomesTheReference() {
        views.update(List.of("a", "b", "c"), 1);
        views.update(List.of("c"), 2);

        assertThat(views.settle(2 + 10 * STABLE_AFTER)).isEmpty();
        assertThat(views.snapshot().stable()).containsExactly("a", "b", "c");
        assertThat(views.snapshot().missing()).containsExactly("a", "b");
    }

    @Test
    void pauseAllPausesEverySideUntilTheLostMemberIsBackOrForgotten() {
        ViewHistory all = new ViewHistory(PartitionHandling.PAUSE_ALL, null, STABLE_AFTER);
        all.update(List.of("a", "b", "c"), 1);

        assertThat(all.update(List.of("a", "b"), 2).quorum())
                .as("the majority pauses too")
                .isFalse();
        assertThat(all.settle(2 + 10 * STABLE_AFTER))
                .as("a lost member is never settled away")
                .isEmpty();
        assertThat(all.update(List.of("a", "b", "c"), 3).quorum())
                .as("c is back")
                .isTrue();

        all.update(List.of("a", "b"), 4);
        ViewHistory.Snapshot forgotten = all.forget(Set.of("c"), 5).orElseThrow();
        assertThat(forgotten.quorum()).isTrue();
        assertThat(forgotten.stable()).containsExactly("a", "b");
    }

    @Test
    void forgettingKeepsMembersThatAreStillInTheView() {
        views.update(List.of("a", "b", "c"), 1);
        views.update(List.of("c"), 2);

        assertThat(views.forget(Set.of("c"), 3)).as("c is here").isEmpty();
        ViewHistory.Snapshot after = views.forget(Set.of("a", "b", "c"), 4).orElseThrow();

        assertThat(after.stable()).containsExactly("c");
        assertThat(after.quorum())
                .as("the last survivor, on the operator's word")
                .isTrue();
        assertThat(views.forget(Set.of("a"), 5))
                .as("forgetting twice changes nothing")
                .isEmpty();
    }

    @Test
    void withoutTheLeaseNoViewHoldsQuorum() {
        views.update(List.of("a", "b", "c"), 1);

        assertThat(views.lease(false, 2).orElseThrow().quorum())
                .as("too few confirm this node")
                .isFalse();
        assertThat(views.update(List.of("a", "b"), 3).quorum()).isFalse();
        assertThat(views.lease(true, 4).orElseThrow().quorum()).isTrue();
        assertThat(views.lease(true, 5)).as("no change").isEmpty();
    }

    @Test
    void ignoreNeverPauses() {
        ViewHistory ignore = new ViewHistory(PartitionHandling.IGNORE, null, STABLE_AFTER);
        ignore.update(List.of("a", "b", "c"), 1);

        assertThat(ignore.update(List.of("c"), 2).quorum()).isTrue();
    }

    @Test
    void aMinoritySideHasNoQuorumAndKeepsTheOldStableView() {
        views.update(List.of("a", "b", "c"), 1);

        ViewHistory.Snapshot minority = views.update(List.of("c"), 2);

        assertThat(minority.quorum()).isFalse();
        assertThat(minority.stable()).containsExactly("a", "b", "c");
        // Still a minority later: the stable view is not replaced by the minority's own view.
        assertThat(views.update(List.of("c"), 3).quorum()).isFalse();
    }

    @Test
    void anEvenSplitKeepsTheSideWithTheOldestMember() {
        views.update(List.of("a", "b", "c", "d"), 1);
        assertThat(new ViewHistory(STABLE_AFTER).hasQuorum(List.of("a", "b"), List.of("a", "b", "c", "d")))
                .isTrue();
        assertThat(views.update(List.of("c", "d"), 2).quorum()).isFalse();
    }

    @Test
    void aTwoNodeClusterKeepsTheOlderNode() {
        views.update(List.of("a", "b"), 1);
        assertThat(new ViewHistory(STABLE_AFTER).hasQuorum(List.of("a"), List.of("a", "b")))
                .isTrue();
        assertThat(views.update(List.of("b"), 2).quorum()).isFalse();
    }

    @Test
    void aMergeRestoresQuorum() {
        views.update(List.of("a", "b", "c"), 1);
        views.update(List.of("c"), 2);

        assertThat(views.update(List.of("a", "b", "c"), 3).quorum()).isTrue();
    }

    @Test
    void aFixedQuorumSizeReplacesTheMajorityRule() {
        ViewHistory fixed = new ViewHistory(PartitionHandling.PAUSE_MINORITY, 2, STABLE_AFTER);
        fixed.update(List.of("a", "b", "c"), 1);

        assertThat(fixed.update(List.of("b", "c"), 2).quorum()).isTrue();
        assertThat(fixed.update(List.of("c"), 3).quorum()).isFalse();
    }

    @Test
    void membersThatLeaveOnPurposeOneAfterTheOtherDoNotCountAgainstQuorum() {
        views.update(List.of("a", "b", "c"), 1);

        assertThat(views.leaving("a", 2))
                .as("still in the view: remembered for later")
                .isEmpty();
        assertThat(views.update(List.of("b", "c"), 3).stable()).containsExactly("b", "c");
        views.leaving("b", 4);
        ViewHistory.Snapshot last = views.update(List.of("c"), 5);

        assertThat(last.quorum()).as("the two oldest stopped gracefully").isTrue();
        assertThat(last.stable()).containsExactly("c");
    }

    @Test
    void theSameDeparturesUnannouncedLeaveTheLastMemberWithoutQuorum() {
        views.update(List.of("a", "b", "c"), 1);
        views.update(List.of("b", "c"), 2);

        assertThat(views.update(List.of("c"), 3).quorum()).isFalse();
    }

    @Test
    void aLateAnnouncementDoesNotCoverAMemberThatVanishedMomentsBefore() {
        views.update(List.of("a", "b", "c"), 1);
        views.update(List.of("b", "c"), 2);
        views.update(List.of("c"), 3);

        assertThat(views.leaving("b", 4))
                .as("a may be alive on the other side of a partition")
                .isEmpty();
        assertThat(views.snapshot().quorum()).isFalse();
    }

    @Test
    void anAnnouncementThatArrivesAfterTheViewGivesQuorumBack() {
        views.update(List.of("a", "b", "c"), 1);
        views.update(List.of("b", "c"), 2);
        views.settle(2 + STABLE_AFTER);
        long later = 3 + STABLE_AFTER;
        assertThat(views.update(List.of("c"), later).quorum()).isFalse();

        ViewHistory.Snapshot after = views.leaving("b", later + 1).orElseThrow();

        assertThat(after.quorum()).isTrue();
        assertThat(after.stable()).containsExactly("c");
        assertThat(views.leaving("a", later + 2))
                .as("no longer in the stable view: nothing changes")
                .isEmpty();
    }

    @Test
    void anAnnouncementWhoseMemberNeverLeftIsForgotten() {
        views.update(List.of("a", "b"), 1);
        views.leaving("a", 2);

        long later = 2 + ViewHistory.ANNOUNCEMENT_TTL_MS + 1;
        assertThat(views.update(List.of("b"), later).quorum())
                .as("the oldest member vanished long after saying it would leave: a failure, not a departure")
                .isFalse();
    }

    @Test
    void anAnnouncingMemberCutOffTogetherWithOthersIsNoDeparture() {
        views.update(List.of("a", "b", "c"), 1);
        views.leaving("c", 2);

        assertThat(views.update(List.of("a"), 3).quorum())
                .as("b left without a word: a partition may have cut a off, so c's announcement proves nothing")
                .isFalse();
    }

    @Test
    void aLateAnnouncementDoesNotGiveQuorumBackWhileOthersAreMissing() {
        views.update(List.of("a", "b", "c"), 1);
        views.update(List.of("a"), 2);

        assertThat(views.leaving("c", 3)).isEmpty();
        assertThat(views.snapshot().quorum()).isFalse();
    }

    @Test
    void twoLateAnnouncementsTogetherGiveQuorumBack() {
        views.update(List.of("a", "b", "c"), 1);
        views.update(List.of("c"), 2);

        assertThat(views.leaving("a", 3)).as("b is still missing").isEmpty();
        ViewHistory.Snapshot after = views.leaving("b", 4).orElseThrow();

        assertThat(after.quorum()).isTrue();
        assertThat(after.stable()).containsExactly("c");
    }

    @Test
    void aMergeWithQuorumComesWithItsSettlingInTheSameSnapshotAndOnlyThatSettlingEndsIt() {
        assertThat(views.first(List.of("a", "b", "c"), 1).settling())
                .as("a node that just started has nothing of another side")
                .isZero();
        assertThat(views.update(List.of("a", "b"), 2).settled()).isTrue();

        ViewHistory.Snapshot merged = views.update(List.of("a", "b", "c"), 3, true);
        assertThat(merged.quorum()).isTrue();
        assertThat(merged.settling()).isPositive();
        assertThat(merged.settled())
                .as("quorum, but the records may be the other side's")
                .isFalse();

        ViewHistory.Snapshot again = views.update(List.of("a", "b", "c", "d"), 4, true);
        assertThat(again.settling()).as("a later merge waits for itself").isGreaterThan(merged.settling());
        assertThat(views.settled(merged.settling()))
                .as("the earlier settling reports")
                .isFalse();
        assertThat(views.snapshot().settled()).isFalse();

        assertThat(views.update(List.of("a", "b", "c", "d"), 5).settling())
                .as("an ordinary view keeps the settling pending")
                .isEqualTo(again.settling());
        assertThat(views.settled(again.settling())).isTrue();
        assertThat(views.snapshot().settled()).isTrue();
        assertThat(views.snapshot().current()).containsExactly("a", "b", "c", "d");
    }

    @Test
    void quorumComingBackStartsASettlingLosingItOrAMergeWithoutItDoesNot() {
        views.update(List.of("a", "b", "c"), 1);
        ViewHistory.Snapshot cut = views.update(List.of("a"), 2);
        assertThat(cut.quorum()).isFalse();
        assertThat(cut.settling()).isZero();
        assertThat(views.update(List.of("a", "d"), 3, true).settling())
                .as("a merge that still holds no quorum")
                .isZero();

        assertThat(views.update(List.of("a", "b", "c", "d"), 4).settling())
                .as("quorum back, merge or not")
                .isPositive();

        views.settled(views.snapshot().settling());
        views.lease(false, 5);
        ViewHistory.Snapshot back = views.lease(true, 6).orElseThrow();
        assertThat(back.quorum()).isTrue();
        assertThat(back.settled()).as("quorum back through the lease").isFalse();
    }

    @Test
    void aSettlingThatNeverReportsIsEndedPastThePatience() {
        views.update(List.of("a", "b"), 1);
        views.update(List.of("a", "b"), 2, true);
        long pending = views.snapshot().settling();

        assertThat(views.overdue(1_000, 5_000)).isZero();
        assertThat(views.overdue(10_000, 5_000)).isEqualTo(pending);
        assertThat(views.snapshot().settled()).isTrue();
        assertThat(views.overdue(20_000, 5_000)).as("nothing pending").isZero();
    }
}
