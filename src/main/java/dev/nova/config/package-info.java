/**
 * Typed reads of MicroProfile Config that fail with a message naming the key. A leaf: each feature reads its own
 * section next to the record that holds it (for example {@code ClusterSettings.read}); {@code boot} reads them all
 * at startup.
 */
package dev.nova.config;
