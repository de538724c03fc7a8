package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ViewHistoryTest {

    private final ViewHistory views = new ViewHistory(null);

    @Test
    void theJoinViewIsRecordedOnceAndNeverOverwritesALaterView() {
        assertThat(views.snapshot().quorum()).as("nothing recorded yet").isFalse();

        assertThat(views.first(List.of("a"), 1).quorum()).isTrue();
        views.update(List.of("a", "b"), 2);
        views.first(List.of("a"), 3);

        assertThat(views.snapshot().current()).containsExactly("a", "b");
    }

    @Test
    void joinsAndCrashesThatKeepAMajorityMoveTheStableView() {
        views.update(List.of("a"), 1);
        views.update(List.of("a", "b", "c"), 2);

        ViewHistory.Snapshot afterCrash = views.update(List.of("a", "b"), 3);

        assertThat(afterCrash.quorum()).isTrue();
        assertThat(afterCrash.stable()).containsExactly("a", "b");
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
        assertThat(new ViewHistory(null).hasQuorum(List.of("a", "b"), List.of("a", "b", "c", "d")))
                .isTrue();
        assertThat(views.update(List.of("c", "d"), 2).quorum()).isFalse();
    }

    @Test
    void aTwoNodeClusterKeepsTheOlderNode() {
        views.update(List.of("a", "b"), 1);
        assertThat(new ViewHistory(null).hasQuorum(List.of("a"), List.of("a", "b")))
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
        ViewHistory fixed = new ViewHistory(2);
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
    void anAnnouncementThatArrivesAfterTheViewGivesQuorumBack() {
        views.update(List.of("a", "b", "c"), 1);
        views.update(List.of("b", "c"), 2);
        assertThat(views.update(List.of("c"), 3).quorum()).isFalse();

        ViewHistory.Snapshot after = views.leaving("b", 4).orElseThrow();

        assertThat(after.quorum()).isTrue();
        assertThat(after.stable()).containsExactly("c");
        assertThat(views.leaving("a", 5))
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
}
