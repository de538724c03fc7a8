/**
 * Who runs each client. The rules are pure functions over client records and a {@code Members} snapshot: placement
 * ({@code Placement}), fencing ({@code Fencing}), automatic failover ({@code FailoverPolicy}), takeover and transfer
 * ({@code MovePolicy}). The beans around them read, decide and write: {@code Reconciler} makes this node's sessions
 * follow the records, {@code FailoverCoordinator} (on the coordinator) reassigns the clients of lost owners,
 * {@code Takeover} and {@code TransferService} move clients by hand. Records are written conditionally on their epoch.
 */
package dev.nova.ownership;
