package dev.nova.ownership;

import static dev.nova.ownership.World.N1;
import static dev.nova.ownership.World.N2;
import static dev.nova.ownership.World.N3;
import static dev.nova.ownership.World.owned;
import static dev.nova.ownership.World.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nova.NovaException;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** README, "Manual moves": takeover and make-before-break transfer, as the node that was asked decides them. */
class MovePolicyTest {

    private static final Members ALL = view(N1, true, N1, N2, N3);

    private static void refused(ThrowingCallable call, NovaException.Kind kind, String detail) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        NovaException.class, e -> assertThat(e.kind()).isEqualTo(kind))
                .hasMessageContaining(detail);
    }

    @Test
    void aTakeoverMovesEveryClientTheSourceOwnsThatMayMove() {
        ClientRecord a = owned("a", N2, 1);
        ClientRecord b = owned("b", N2, 1);
        ClientRecord pinned = owned(World.pinned("p"), N2, 1);
        ClientRecord elsewhere = owned("e", N3, 1);

        assertThat(MovePolicy.takeover(null, "n2", List.of(a, b, pinned, elsewhere), ALL))
                .containsExactly(a, b);
        assertThat(MovePolicy.takeover("a", "n2", List.of(a, b), ALL)).containsExactly(a);
    }

    @Test
    void aTakeoverFromAGoneNodeStillMovesTheClientsItOwned() {
        ClientRecord a = owned("a", N2, 1);

        assertThat(MovePolicy.takeover(null, "n2", List.of(a), view(N1, true, N1, N3)))
                .containsExactly(a);
    }

    @Test
    void aTakeoverThatBreaksARuleIsRefused() {
        List<ClientRecord> all = List.of(owned("a", N2, 1), owned(World.pinned("p"), N2, 1));

        refused(() -> MovePolicy.takeover(null, "ghost", all, ALL), NovaException.Kind.NOT_FOUND, "ghost");
        refused(() -> MovePolicy.takeover(null, "n1", all, ALL), NovaException.Kind.CONFLICT, "is this node");
        refused(() -> MovePolicy.takeover("a", "n3", all, ALL), NovaException.Kind.CONFLICT, "is owned by n2");
        refused(() -> MovePolicy.takeover("p", "n2", all, ALL), NovaException.Kind.CONFLICT, "pinned");
        refused(() -> MovePolicy.takeover("nobody", "n2", all, ALL), NovaException.Kind.NOT_FOUND, "does not exist");
    }

    @Test
    void aClientTakenOverIsThisNodesAtTheNextEpochUnlessItsOwnerChangedMeanwhile() {
        ClientRecord failingOver = owned("a", N2, 4).failoverAttempt(5);

        ClientRecord taken = MovePolicy.takenOver(failingOver, "n2", ALL, 100);
        assertThat(taken.owner()).isEqualTo("n1");
        assertThat(taken.ownerIncarnation()).isEqualTo(N1.incarnation());
        assertThat(taken.epoch()).isEqualTo(5);
        assertThat(taken.state()).isEqualTo(ClientState.CONNECTING);
        assertThat(taken.failingOver()).isFalse();

        ClientRecord movedOn = owned("a", N3, 5);
        assertThat(MovePolicy.takenOver(movedOn, "n2", ALL, 100)).isSameAs(movedOn);
    }

    @Test
    void aConnectedClientWithALiveOwnerMayBeTransferredToAnotherMember() {
        MovePolicy.checkTransfer(owned("a", N2, 1), "n3", ALL);

        ClientRecord marked = MovePolicy.transferStarted(owned("a", N2, 1), 1, "n3", 50);
        assertThat(marked.transferTo()).isEqualTo("n3");
        assertThat(marked.state()).isEqualTo(ClientState.TRANSFERRING);
        assertThat(marked.stateChangedAt()).as("when the transfer began").isEqualTo(50);
        assertThat(MovePolicy.transferStarted(owned("a", N2, 2), 1, "n3", 50).transferTo())
                .as("the record changed since it was checked")
                .isNull();
    }

    @Test
    void aTransferToADrainingMemberIsRefused() {
        Members draining = new Members(
                N1,
                true,
                List.of("n1", "n2", "n3"),
                Map.of(
                        "n1",
                        World.record(N1),
                        "n2",
                        World.record(N2),
                        "n3",
                        World.record(N3).draining(true)),
                true,
                true);

        refused(
                () -> MovePolicy.checkTransfer(owned("a", N2, 1), "n3", draining),
                NovaException.Kind.CONFLICT,
                "is being drained");
    }

    @Test
    void aTransferThatBreaksARuleIsRefused() {
        ClientRecord a = owned("a", N2, 1);

        refused(() -> MovePolicy.checkTransfer(a, "ghost", ALL), NovaException.Kind.NOT_FOUND, "not a member");
        refused(() -> MovePolicy.checkTransfer(a, "n2", ALL), NovaException.Kind.CONFLICT, "already owned by n2");
        refused(
                () -> MovePolicy.checkTransfer(owned(World.pinned("p"), N2, 1), "n3", ALL),
                NovaException.Kind.CONFLICT,
                "pinned");
        refused(
                () -> MovePolicy.checkTransfer(a.transferTo("n1"), "n3", ALL),
                NovaException.Kind.CONFLICT,
                "already moving (transferring to n1)");
        refused(
                () -> MovePolicy.checkTransfer(a.failoverAttempt(1), "n3", ALL),
                NovaException.Kind.CONFLICT,
                "already moving (failing over)");
        refused(
                () -> MovePolicy.checkTransfer(a.withState(ClientState.RECONNECTING, 1), "n3", ALL),
                NovaException.Kind.CONFLICT,
                "is RECONNECTING");
        refused(
                () -> MovePolicy.checkTransfer(a, "n3", view(N1, true, N1, N3)),
                NovaException.Kind.CONFLICT,
                "live owner");
    }
}
