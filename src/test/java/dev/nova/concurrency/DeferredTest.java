package dev.nova.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeferredTest {

    @Test
    void outsideAScopeNothingIsPutOff() {
        assertThat(Deferred.defer(() -> {})).isFalse();
    }

    @Test
    void workPutOffRunsInOrderWhenTheScopeFlushesAndWhenItCloses() {
        List<String> ran = new ArrayList<>();
        try (Deferred scope = Deferred.open()) {
            assertThat(Deferred.defer(() -> ran.add("a"))).isTrue();
            assertThat(Deferred.defer(() -> ran.add("b"))).isTrue();
            assertThat(ran).isEmpty();
            scope.flush();
            assertThat(ran).containsExactly("a", "b");
            scope.flush();
            assertThat(ran).containsExactly("a", "b");
            Deferred.defer(() -> ran.add("c"));
        }
        assertThat(ran).containsExactly("a", "b", "c");
        assertThat(Deferred.defer(() -> ran.add("d"))).isFalse();
    }

    @Test
    void aTaskThatFlushesAJoinedScopeRunsNothingTwice() {
        List<String> ran = new ArrayList<>();
        try (Deferred scope = Deferred.open()) {
            Deferred.defer(() -> ran.add("a"));
            Deferred.defer(() -> {
                ran.add("b");
                try (Deferred joined = Deferred.open()) {
                    Deferred.defer(() -> ran.add("put off by b"));
                    joined.flush();
                }
            });
            Deferred.defer(() -> ran.add("c"));
            scope.flush();
        }
        assertThat(ran).containsExactly("a", "b", "c", "put off by b");
    }

    @Test
    void anInnerScopeJoinsTheOuterOne() {
        List<String> ran = new ArrayList<>();
        try (Deferred outer = Deferred.open()) {
            try (Deferred inner = Deferred.open()) {
                assertThat(inner).isSameAs(outer);
                Deferred.defer(() -> ran.add("inner"));
            }
            assertThat(ran).isEmpty();
            assertThat(Deferred.defer(() -> ran.add("outer"))).isTrue();
        }
        assertThat(ran).containsExactly("inner", "outer");
        assertThat(Deferred.defer(() -> {})).isFalse();
    }

    @Test
    void aFailingTaskDoesNotStopTheOthersAndWorkPutOffWhileFlushingRunsInTheSameFlush() {
        List<String> ran = new ArrayList<>();
        try (Deferred scope = Deferred.open()) {
            Deferred.defer(() -> {
                throw new IllegalStateException("boom");
            });
            Deferred.defer(() -> {
                ran.add("first");
                Deferred.defer(() -> ran.add("put off while flushing"));
            });
            scope.flush();
            assertThat(ran).containsExactly("first", "put off while flushing");
        }
    }

    @Test
    void eachThreadHasItsOwnScope() throws InterruptedException {
        try (Deferred scope = Deferred.open()) {
            boolean[] deferredElsewhere = {true};
            Thread other = new Thread(() -> deferredElsewhere[0] = Deferred.defer(() -> {}));
            other.start();
            other.join();
            assertThat(deferredElsewhere[0]).isFalse();
        }
    }
}
