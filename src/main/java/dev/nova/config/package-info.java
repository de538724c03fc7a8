/**
 * Typed, validated configuration. Every knob is a MicroProfile Config key with its default in
 * {@code META-INF/microprofile-config.properties}; {@link dev.nova.config.NovaConfig} reads them all once at
 * startup and fails with a message naming the key when a value is wrong, so a misconfigured node never half-starts.
 * The parsing lives in {@link dev.nova.config.SettingsLoader}, which works on any key lookup and is unit-tested
 * without a container.
 */
package dev.nova.config;
