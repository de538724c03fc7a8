package dev.nova.model;

import dev.nova.platform.Credentials;
import dev.nova.platform.Platform;
import java.util.Optional;
import org.infinispan.protostream.annotations.Proto;

/**
 * What an operator declared for a client; it never changes after creation, except that a rotation of the cluster
 * secret seals its exchange secret again under the new key. The url is resolved at creation (the
 * platform default when none was given) so every node connects to the same endpoint.
 *
 * @param preferredRegion region to place the client in, overriding the exchange mapping; may be null
 * @param clusterEnabled false pins the client to the node that created it
 * @param credentials exchange API credentials, the secret sealed; may be null
 */
@Proto
public record ClientSpec(
        String name,
        Platform platform,
        String url,
        boolean regionAware,
        String preferredRegion,
        boolean clusterEnabled,
        Credentials credentials) {

    public Optional<Credentials> credentialsIfAny() {
        return Optional.ofNullable(credentials);
    }

    /** The same declaration with other credentials (the secret sealed again, or none to compare the rest). */
    public ClientSpec withCredentials(Credentials other) {
        return new ClientSpec(name, platform, url, regionAware, preferredRegion, clusterEnabled, other);
    }

    public Optional<String> preferredRegionIfAny() {
        return Optional.ofNullable(preferredRegion);
    }
}
