/**
 * Container tests: real Open Liberty servers running the real WAR, talking to the exchange simulator over
 * loopback WebSockets. {@code *IT} classes run in Maven's integration-test phase (failsafe), after the build
 * has created the servers.
 */
package dev.nova.it;
