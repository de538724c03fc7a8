package dev.nova.platform;

import org.infinispan.protostream.annotations.Proto;

/**
 * Exchange API credentials (Deribit {@code client_credentials}). The client id names the exchange account, which
 * is also the scope of account-wide rate limits; the secret is masked wherever the record is printed.
 */
@Proto
public record Credentials(String clientId, Secret clientSecret) {

    public Credentials {
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("clientId must not be blank");
        }
        if (clientSecret == null) {
            throw new IllegalArgumentException("clientSecret is required with clientId");
        }
    }
}
