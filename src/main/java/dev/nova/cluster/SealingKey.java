package dev.nova.cluster;

/**
 * The public name of the key this node seals exchange secrets with ({@code ""} when it has no cluster secret), as
 * its {@link NodeRecord} tells the others: with the cluster's PKI, membership does not prove that nodes share the
 * cluster secret, so secrets are sealed again only when every member names the same key.
 */
public record SealingKey(String id) {

    /** A node without a cluster secret. */
    public static final SealingKey NONE = new SealingKey("");
}
