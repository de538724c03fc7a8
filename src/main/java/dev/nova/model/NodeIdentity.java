package dev.nova.model;

/**
 * This node: its configured name and region, and its incarnation (start time in epoch milliseconds), which tells a
 * restarted node from the one that ran before it under the same name.
 */
public record NodeIdentity(String name, String region, long incarnation) {}
