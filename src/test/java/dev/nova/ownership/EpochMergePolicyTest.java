package dev.nova.ownership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.model.ClientRecord;
import dev.nova.model.ClientSpec;
import dev.nova.model.ClientState;
import dev.nova.platform.Platform;
import java.util.Arrays;
import java.util.List;
import org.infinispan.container.entries.CacheEntry;
import org.infinispan.container.entries.ImmortalCacheEntry;
import org.junit.jupiter.api.Test;

class EpochMergePolicyTest {

    private static final ClientSpec SPEC =
            new ClientSpec("c", Platform.DERIBIT, "wss://x/ws/api/v2", true, null, true, null);

    private static CacheEntry<String, ClientRecord> entry(String owner, long epoch, long changedAt) {
        ClientRecord record =
                new ClientRecord(SPEC, owner, 1, epoch, ClientState.CONNECTED, 0, changedAt, false, 0, 0, 0, null, 0);
        return new ImmortalCacheEntry("c", record);
    }

    private final EpochMergePolicy policy = new EpochMergePolicy();

    @Test
    void theHighestEpochWinsWhicheverSideIsPreferred() {
        CacheEntry<String, ClientRecord> minority = entry("n3", 1, 500);
        CacheEntry<String, ClientRecord> majority = entry("n1", 2, 100);

        assertThat(policy.merge(minority, List.of(majority)).getValue().owner()).isEqualTo("n1");
        assertThat(policy.merge(majority, List.of(minority)).getValue().owner()).isEqualTo("n1");
    }

    @Test
    void equalEpochsGoToTheLatestStateChange() {
        assertThat(policy.merge(entry("n1", 4, 100), List.of(entry("n2", 4, 200)))
                        .getValue()
                        .owner())
                .isEqualTo("n2");
    }

    @Test
    void aMissingEntryNeverBeatsARecord() {
        assertThat(policy.merge(null, Arrays.asList(entry("n2", 1, 1), null))
                        .getValue()
                        .owner())
                .isEqualTo("n2");
    }

    @Test
    void aStopGivenOnOneSideSurvivesAnEqualEpochMergeThatTheOtherSideWinsByStateChange() {
        CacheEntry<String, ClientRecord> stoppedHere =
                new ImmortalCacheEntry("c", entry("n1", 3, 100).getValue().stop());
        CacheEntry<String, ClientRecord> changedThere = entry("n1", 3, 900);

        for (ClientRecord merged : List.of(
                policy.merge(stoppedHere, List.of(changedThere)).getValue(),
                policy.merge(changedThere, List.of(stoppedHere)).getValue())) {
            assertThat(merged.stateChangedAt()).as("the owner's latest state").isEqualTo(900);
            assertThat(merged.stopped()).as("the operator's stop").isTrue();
            assertThat(merged.intentVersion()).isEqualTo(1);
        }
    }

    @Test
    void theLatestIntentIsKeptOnTheRecordThatWinsByEpoch() {
        ClientRecord stoppedThenRestarted =
                entry("n3", 1, 100).getValue().stop().restart();
        CacheEntry<String, ClientRecord> minority = new ImmortalCacheEntry("c", stoppedThenRestarted);
        CacheEntry<String, ClientRecord> majority =
                new ImmortalCacheEntry("c", entry("n1", 2, 50).getValue().stop());

        ClientRecord merged = policy.merge(majority, List.of(minority)).getValue();

        assertThat(merged.owner()).isEqualTo("n1");
        assertThat(merged.epoch()).isEqualTo(2);
        assertThat(merged.stopped()).isFalse();
        assertThat(merged.restarts()).isEqualTo(1);
        assertThat(merged.intentVersion()).isEqualTo(2);
        assertThat(majority.getValue().stopped())
                .as("the entries handed in are left as they were")
                .isTrue();
    }
}
