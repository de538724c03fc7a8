package dev.nova.ownership;

import static dev.nova.ownership.World.N1;
import static dev.nova.ownership.World.N2;
import static dev.nova.ownership.World.N3;
import static dev.nova.ownership.World.PLACEMENT;
import static dev.nova.ownership.World.owned;
import static dev.nova.ownership.World.view;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.cluster.NodeRecord;
import dev.nova.model.NodeIdentity;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who is alive to own clients, and where a client may go (README, "Placement" and "One owner per client"). */
class MembersTest {

    @Test
    void anOwnerIsAliveWhileItIsInTheViewAsTheIncarnationItWasWhenItGotTheClient() {
        Members members = view(N1, true, N1, N2);

        assertThat(members.ownerAlive(owned("c", N1, 1))).as("this node").isTrue();
        assertThat(members.ownerAlive(owned("c", N2, 1))).isTrue();
        assertThat(members.ownerAlive(owned("c", N3, 1))).as("not in the view").isFalse();
        NodeIdentity n2Before = new NodeIdentity("n2", "us-east", N2.incarnation() - 1);
        assertThat(members.ownerAlive(owned("c", n2Before, 1)))
                .as("an earlier incarnation")
                .isFalse();
    }

    @Test
    void aMemberWithoutItsNodeRecordIsStillStartingAndGetsNoClient() {
        Members members = new Members(N1, true, List.of("n1", "n2", "n3"), Map.of("n3", World.record(N3)), true, true);

        assertThat(members.alive("n2")).isFalse();
        assertThat(members.candidates(List.of(), Set.of()))
                .extracting(Placement.Candidate::name)
                .containsExactly("n1", "n3");
    }

    @Test
    void candidatesCarryTheirRegionAndLoadAndLeaveOutTheExcluded() {
        Members members = view(N1, true, N1, N2, N3);

        assertThat(members.candidates(List.of(owned("a", N2, 1), owned("b", N2, 1), owned("c", N3, 1)), Set.of("n1")))
                .containsExactly(
                        new Placement.Candidate("n2", "us-east", 2), new Placement.Candidate("n3", "ap-east", 1));
    }

    @Test
    void aClientGoesNearItsExchangeUnlessItIsPinnedOrClusteringIsOff() {
        Members members = view(N1, true, N1, N2, N3);

        assertThat(members.place(PLACEMENT, World.spec("c"), List.of(), Set.of()))
                .contains("n2");
        assertThat(members.place(PLACEMENT, World.pinned("p"), List.of(), Set.of()))
                .contains("n1");
        Members alone = new Members(
                N1, false, List.of("n1"), Map.of("n1", NodeRecord.of("n1", "eu-west", "", 1, "")), true, true);
        assertThat(alone.place(PLACEMENT, World.spec("c"), List.of(), Set.of())).contains("n1");
    }

    @Test
    void aDrainingMemberIsNoCandidateSoNoClientIsPlacedOrMovedOntoIt() {
        Map<String, NodeRecord> records =
                Map.of("n1", World.record(N1), "n2", World.record(N2).draining(true), "n3", World.record(N3));
        Members members = new Members(N1, true, List.of("n1", "n2", "n3"), records, true, true);

        assertThat(members.draining("n2")).isTrue();
        assertThat(members.alive("n2")).as("still a member").isTrue();
        assertThat(members.candidates(List.of(), Set.of()))
                .extracting(Placement.Candidate::name)
                .containsExactly("n1", "n3");
        assertThat(members.place(PLACEMENT, World.spec("c"), List.of(), Set.of()))
                .as("its region's only member is draining: placed in another region")
                .isPresent()
                .get()
                .isNotEqualTo("n2");
    }
}
