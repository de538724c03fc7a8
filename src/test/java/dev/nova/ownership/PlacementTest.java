package dev.nova.ownership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.model.ClientSpec;
import dev.nova.platform.Platform;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {

    private final Placement placement = new Placement(Map.of(
            Platform.DERIBIT, new ExchangeRegions("eu-west", List.of("us-east", "ap-east")),
            Platform.BINANCE, new ExchangeRegions("ap-east", List.of())));

    private static ClientSpec spec(Platform platform, boolean regionAware, String preferred) {
        return new ClientSpec("c", platform, "wss://x/stream", regionAware, preferred, true, null);
    }

    private static final List<Placement.Candidate> NODES = List.of(
            new Placement.Candidate("n1", "eu-west", 3),
            new Placement.Candidate("n2", "eu-west", 1),
            new Placement.Candidate("n3", "us-east", 0),
            new Placement.Candidate("n4", "ap-east", 5));

    @Test
    void thePrimaryRegionWinsAndItsLeastLoadedNodeIsChosen() {
        assertThat(placement.choose(spec(Platform.DERIBIT, true, null), NODES)).contains("n2");
    }

    @Test
    void aPreferredRegionOverridesTheExchange() {
        assertThat(placement.choose(spec(Platform.DERIBIT, true, "ap-east"), NODES))
                .contains("n4");
    }

    @Test
    void withoutThePrimaryRegionTheFailoverRegionsFollowInOrder() {
        List<Placement.Candidate> noEurope =
                NODES.stream().filter(n -> !n.region().equals("eu-west")).toList();

        assertThat(placement.choose(spec(Platform.DERIBIT, true, null), noEurope))
                .contains("n3");
        assertThat(placement.regionsFor(spec(Platform.DERIBIT, true, null)))
                .containsExactly("eu-west", "us-east", "ap-east");
    }

    @Test
    void withNoNodeInAnyRegionTheLeastLoadedNodeAnywhereIsChosen() {
        List<Placement.Candidate> elsewhere =
                List.of(new Placement.Candidate("x1", "sa-east", 2), new Placement.Candidate("x2", "af-south", 1));

        assertThat(placement.choose(spec(Platform.BINANCE, true, null), elsewhere))
                .contains("x2");
    }

    @Test
    void aClientThatIsNotRegionAwareGoesToTheLeastLoadedNodeAndTiesGoByName() {
        List<Placement.Candidate> tied =
                List.of(new Placement.Candidate("b", "eu-west", 0), new Placement.Candidate("a", "us-east", 0));

        assertThat(placement.choose(spec(Platform.DERIBIT, false, null), NODES)).contains("n3");
        assertThat(placement.choose(spec(Platform.DERIBIT, false, null), tied)).contains("a");
        assertThat(placement.choose(spec(Platform.DERIBIT, false, null), List.of()))
                .isEmpty();
    }
}
