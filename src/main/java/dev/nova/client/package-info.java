/**
 * The operator's intents: {@code ClientService} is the one entry point for creating, deleting, stopping,
 * restarting and subscribing clients, from the REST API or from configuration ({@code DeclaredClient}); it
 * validates everything ({@code ClientValidator}) before it writes anything to the registries, and the owner carries
 * it out. {@code ClientStats} gathers the counters of running clients from their owners.
 */
package dev.nova.client;
