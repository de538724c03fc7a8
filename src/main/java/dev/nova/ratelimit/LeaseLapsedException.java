package dev.nova.ratelimit;

/**
 * A request Nova did not send because no quorum of the cluster confirmed this node at that moment: it may be cut off,
 * or have just resumed from a hang during which the others took its clients over (see {@code Leases}).
 */
public final class LeaseLapsedException extends IllegalStateException {

    public LeaseLapsedException(Operation operation, String connection) {
        super(operation + " of " + connection + " not sent: no quorum confirms this node now (a partition, or a"
                + " hang it just resumed from)");
    }
}
