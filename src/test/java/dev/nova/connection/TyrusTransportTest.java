package dev.nova.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class TyrusTransportTest {

    /**
     * The transport is not closed here: close() releases Tyrus' JVM-wide shared container, which other tests in this
     * JVM use (in Liberty each deployment has its own copy of those statics).
     */
    @Test
    void theWarmUpMakesAWholeHandshakeAgainstALoopbackListenerThatRefusesIt() {
        ExecutorService background = Executors.newCachedThreadPool();
        try {
            TyrusTransport transport = new TyrusTransport(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, 5);
            assertThat(transport.warmUp(background)).isTrue();
        } finally {
            background.shutdownNow();
        }
    }
}
