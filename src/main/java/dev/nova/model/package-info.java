/**
 * The values every feature shares: what an operator declared for a client ({@code ClientSpec}), what the cluster
 * records about it ({@code ClientRecord}, {@code ClientState}), its {@code Subscription}s, and a node's identity.
 * Records only, with no behaviour beyond deriving new values; they depend on nothing but {@code platform}.
 */
package dev.nova.model;
