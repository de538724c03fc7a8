package dev.nova.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffPolicyTest {

    private final BackoffPolicy policy = new BackoffPolicy(Duration.ofMillis(500), Duration.ofSeconds(30), 2, 0.5, 0);

    @Test
    void delaysGrowExponentiallyUpToTheCap() {
        assertThat(policy.delay(1, () -> 1.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(policy.delay(2, () -> 1.0)).isEqualTo(Duration.ofMillis(1000));
        assertThat(policy.delay(4, () -> 1.0)).isEqualTo(Duration.ofMillis(4000));
        assertThat(policy.delay(30, () -> 1.0)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void jitterRandomisesOnlyItsFractionOfTheDelay() {
        assertThat(policy.delay(3, () -> 0.0)).isEqualTo(Duration.ofMillis(1000));
        assertThat(policy.delay(3, () -> 0.5)).isEqualTo(Duration.ofMillis(1500));
        BackoffPolicy none = new BackoffPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 2, 0, 0);
        assertThat(none.delay(2, () -> 0.9)).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void maxAttemptsBoundsRetriesAndZeroMeansForever() {
        BackoffPolicy three = new BackoffPolicy(Duration.ofMillis(1), Duration.ofMillis(10), 2, 0, 3);

        assertThat(three.allows(3)).isTrue();
        assertThat(three.allows(4)).isFalse();
        assertThat(policy.allows(1_000_000)).isTrue();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ZERO, Duration.ofSeconds(1), 0.5, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ZERO, Duration.ofSeconds(1), 2, 1.5, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
