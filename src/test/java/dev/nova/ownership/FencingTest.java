package dev.nova.ownership;

import static dev.nova.ownership.World.N1;
import static dev.nova.ownership.World.N2;
import static dev.nova.ownership.World.owned;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import dev.nova.model.NodeIdentity;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** README, "One owner per client, fenced by epoch" and "Quorum": what a node runs, keeps and writes. */
class FencingTest {

    private static final Set<String> CHANNELS = Set.of("trades.BTC-PERPETUAL.raw", "book.BTC-PERPETUAL.100ms");

    private static Fencing.Running running(long epoch, ClientState state, Set<String> channels) {
        return new Fencing.Running(epoch, state, channels);
    }

    @Test
    void aNodeRunsAClientOnlyWhileTheRecordNamesThisIncarnationAndItsSideHoldsQuorum() {
        ClientRecord mine = owned("c", N1, 3);

        assertThat(Fencing.mayRun(mine, N1, true)).isTrue();
        assertThat(Fencing.mayRun(mine, N2, true)).as("another node").isFalse();
        assertThat(Fencing.mayRun(mine, N1, false)).as("no quorum on this side").isFalse();
        assertThat(Fencing.mayRun(null, N1, true)).as("deleted").isFalse();
    }

    @Test
    void aNodeRestartedUnderTheSameNameDoesNotTakeItsOldClientsBack() {
        NodeIdentity restarted = new NodeIdentity("n1", "eu-west", N1.incarnation() + 60_000);

        assertThat(Fencing.mayRun(owned("c", N1, 3), restarted, true)).isFalse();
    }

    @Test
    void aSessionIsReleasedAtOnceWhenTheRecordNoLongerGivesItThisNodeAtItsEpoch() {
        ClientRecord record = owned("c", N1, 3);

        assertThat(Fencing.mustRelease(record, 3, N1, true)).isEmpty();
        assertThat(Fencing.mustRelease(record, 2, N1, true))
                .hasValueSatisfying(why -> assertThat(why).contains("epoch 2 is over"));
        assertThat(Fencing.mustRelease(owned("c", N2, 4), 3, N1, true)).contains("owner n2 epoch 4");
        assertThat(Fencing.mustRelease(record, 3, N1, false)).contains("this side holds no quorum");
        assertThat(Fencing.mustRelease(null, 3, N1, true)).contains("deleted");
    }

    @Test
    void sessionsOpenOnlyForTheRecordsEpoch() {
        ClientRecord record = owned("c", N1, 3);

        assertThat(Fencing.mayConnect(record, 3, N1, true)).isTrue();
        assertThat(Fencing.mayConnect(record, 2, N1, true)).isFalse();
        assertThat(Fencing.mayConnect(record, 3, N1, false)).isFalse();
    }

    @Test
    void aClientThisNodeShouldRunIsStartedWithTheRegistrysChannelsUnlessAMergeIsSettling() {
        ClientRecord record = owned("c", N1, 3);

        assertThat(Fencing.next(record, null, CHANNELS, true, null)).isEqualTo(new Fencing.Start(CHANNELS));
        assertThat(Fencing.next(record, null, CHANNELS, false, null)).isInstanceOf(Fencing.Idle.class);
    }

    @Test
    void aClientStoppedOnPurposeIsNotStartedAndItsRecordSaysStopped() {
        ClientRecord stopped = owned("c", N1, 3).stop();

        assertThat(Fencing.next(stopped, null, CHANNELS, true, null)).isInstanceOf(Fencing.RecordStopped.class);
        assertThat(Fencing.next(stopped.withState(ClientState.STOPPED, 5), null, CHANNELS, true, null))
                .isInstanceOf(Fencing.Idle.class);
    }

    @Test
    void aRunningClientSubscribesWhatTheRegistryListsAndUnsubscribesTheRest() {
        Fencing.Step step = Fencing.next(
                owned("c", N1, 3),
                running(3, ClientState.CONNECTED, Set.of("trades.BTC-PERPETUAL.raw", "ticker.ETH-PERPETUAL.100ms")),
                CHANNELS,
                true,
                0L);

        assertThat(step)
                .isEqualTo(new Fencing.Follow(
                        false,
                        false,
                        List.of("book.BTC-PERPETUAL.100ms"),
                        List.of("ticker.ETH-PERPETUAL.100ms"),
                        null));
        assertThat(((Fencing.Follow) step).repairs()).isEqualTo(2);
    }

    @Test
    void anOperatorsStopStopsTheSessionAndARestartRestartsItOnce() {
        ClientRecord record = owned("c", N1, 3);

        Fencing.Follow stop = (Fencing.Follow)
                Fencing.next(record.stop(), running(3, ClientState.CONNECTED, CHANNELS), CHANNELS, true, 0L);
        assertThat(stop.stop()).isTrue();

        ClientRecord restarted = record.stop().restart();
        Fencing.Follow restart =
                (Fencing.Follow) Fencing.next(restarted, running(3, ClientState.STOPPED, CHANNELS), CHANNELS, true, 0L);
        assertThat(restart.restart()).isTrue();
        Fencing.Follow again = (Fencing.Follow)
                Fencing.next(restarted, running(3, ClientState.CONNECTED, CHANNELS), CHANNELS, true, 1L);
        assertThat(again.restart()).as("that restart was carried out").isFalse();
    }

    @Test
    void theRecordIsCorrectedToWhatTheSessionIsOutsideAFailoverOrATransfer() {
        ClientRecord record = owned("c", N1, 3).withState(ClientState.TRANSFERRING, 5);
        Fencing.Running connected = running(3, ClientState.CONNECTED, CHANNELS);

        assertThat(((Fencing.Follow) Fencing.next(record, connected, CHANNELS, true, 0L)).recordState())
                .isEqualTo(ClientState.CONNECTED);
        assertThat(((Fencing.Follow) Fencing.next(record.transferTo("n2"), connected, CHANNELS, true, 0L))
                        .recordState())
                .isNull();
        assertThat(((Fencing.Follow) Fencing.next(record.failoverAttempt(5), connected, CHANNELS, true, 0L))
                        .recordState())
                .isNull();
    }

    @Test
    void aFencedNodeNeverWritesTheRecord() {
        ClientRecord record = owned("c", N2, 4);

        assertThat(Fencing.reported(record, N1, 4, ClientState.RECONNECTING, 9)).isSameAs(record);
    }

    @Test
    void aReportOfASessionOfAnEarlierEpochNeverWritesTheRecord() {
        ClientRecord record = owned("c", N1, 4).withState(ClientState.CONNECTING, 100);

        assertThat(Fencing.reported(record, N1, record.epoch() - 1, ClientState.CONNECTED, 150))
                .isSameAs(record);
        assertThat(Fencing.reported(record, N1, record.epoch(), ClientState.CONNECTED, 150)
                        .state())
                .isEqualTo(ClientState.CONNECTED);
    }

    @Test
    void aFailoverShowsFailingOverUntilTheNewOwnerIsConnected() {
        ClientRecord failingOver = owned("c", N1, 4).failoverAttempt(100).withState(ClientState.FAILING_OVER, 100);

        ClientRecord connecting = Fencing.reported(failingOver, N1, failingOver.epoch(), ClientState.CONNECTING, 150);
        assertThat(connecting).isSameAs(failingOver);

        ClientRecord connected = Fencing.reported(failingOver, N1, failingOver.epoch(), ClientState.CONNECTED, 200);
        assertThat(connected.state()).isEqualTo(ClientState.CONNECTED);
        assertThat(connected.failingOver()).isFalse();
        assertThat(Fencing.completedFailover(failingOver, connected, ClientState.CONNECTED))
                .isTrue();
        assertThat(Fencing.completedFailover(failingOver, connecting, ClientState.CONNECTING))
                .isFalse();
    }

    @Test
    void aTransferShowsTransferringUnlessTheSessionFails() {
        ClientRecord moving = owned("c", N1, 4).transferTo("n2").withState(ClientState.TRANSFERRING, 100);

        assertThat(Fencing.reported(moving, N1, moving.epoch(), ClientState.RECONNECTING, 150))
                .isSameAs(moving);
        assertThat(Fencing.reported(moving, N1, moving.epoch(), ClientState.FAILED, 150)
                        .state())
                .isEqualTo(ClientState.FAILED);
    }
}
