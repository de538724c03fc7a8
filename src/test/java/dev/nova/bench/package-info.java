/**
 * The benchmark harness ({@code mvn -Pbench verify}): measures what BENCHMARKS.md reports against real Liberty
 * nodes and the bundled exchange simulator on loopback. Performance is measured here, never asserted in tests.
 */
package dev.nova.bench;
