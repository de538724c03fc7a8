/**
 * What Nova tells operators happened: {@code ClusterEvent}s (a node joined or left, a failover, a transfer, a
 * throttle) logged, counted and fired as CDI events, which the features that show them observe (the event streams
 * of every node); and {@code LatencyRecorder} for the latency figures of the admin API. Each feature registers its
 * own metrics.
 */
package dev.nova.telemetry;
