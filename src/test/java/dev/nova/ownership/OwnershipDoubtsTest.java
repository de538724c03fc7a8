package dev.nova.ownership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.Settling;
import dev.nova.model.Subscription;
import dev.nova.subscription.SubscriptionRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** While a merge settles, an entry whose replicas differ holds back only the client it belongs to. */
class OwnershipDoubtsTest {

    private static Settling.Doubts doubts(Map<String, Map<Object, List<Object>>> differing) {
        return new Settling.Doubts(7, differing);
    }

    @Test
    void nothingDifferingHoldsBackNoClient() {
        assertThat(Ownership.undoubted(doubts(Map.of()), "c1")).isTrue();
    }

    @Test
    void aDifferingClientRecordHoldsBackThatClientOnly() {
        Settling.Doubts doubts = doubts(Map.of(ClientRegistry.CACHE, Map.of("c1", List.of("copy"))));

        assertThat(Ownership.undoubted(doubts, "c1")).isFalse();
        assertThat(Ownership.undoubted(doubts, "c2")).isTrue();
    }

    @Test
    void aDifferingSubscriptionHoldsBackTheClientItBelongsTo() {
        Subscription held = new Subscription("sub-1", "c1", "trades.BTC-PERPETUAL.raw", true, 1, "deribit");
        Settling.Doubts doubts = doubts(Map.of(SubscriptionRegistry.CACHE, Map.of("sub-1", List.of(held))));

        assertThat(Ownership.undoubted(doubts, "c1")).isFalse();
        assertThat(Ownership.undoubted(doubts, "c2")).isTrue();
    }

    @Test
    void aDifferingNodeRecordOrTombstoneHoldsBackEveryClient() {
        assertThat(Ownership.undoubted(doubts(Map.of(ClusterRuntime.NODES, Map.of("n1", List.of()))), "c2"))
                .isFalse();
        assertThat(Ownership.undoubted(doubts(Map.of(ClusterRuntime.TOMBSTONES, Map.of("client:c9", List.of()))), "c2"))
                .isFalse();
    }

    @Test
    void aDifferingCopyThatIsNoSubscriptionHoldsBackEveryClient() {
        Settling.Doubts doubts = doubts(Map.of(SubscriptionRegistry.CACHE, Map.of("sub-1", List.of("unexpected"))));

        assertThat(Ownership.undoubted(doubts, "c2")).isFalse();
    }
}
