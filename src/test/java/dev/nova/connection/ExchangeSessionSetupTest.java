package dev.nova.connection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The breakdown NOVA-2004 logs of a session's time to go live. */
class ExchangeSessionSetupTest {

    @Test
    void eachStepIsTheTimeSinceTheOneBefore() {
        ExchangeSession.Setup setup = new ExchangeSession.Setup();
        setup.admittedAt = setup.askedAt + 3;
        setup.openedAt = setup.askedAt + 15;
        setup.heartbeatsAt = setup.askedAt + 24;
        setup.liveAt = setup.askedAt + 41;

        assertThat(setup.describe())
                .isEqualTo("41 ms (connect budget 3, handshake 12, heartbeats 9, authentication and subscriptions 17)");
    }

    @Test
    void withoutHeartbeatSetUpTheirStepTakesNoTime() {
        ExchangeSession.Setup setup = new ExchangeSession.Setup();
        setup.admittedAt = setup.askedAt + 1;
        setup.openedAt = setup.askedAt + 6;
        setup.liveAt = setup.askedAt + 10;

        assertThat(setup.describe())
                .isEqualTo("10 ms (connect budget 1, handshake 5, heartbeats 0, authentication and subscriptions 4)");
    }
}
