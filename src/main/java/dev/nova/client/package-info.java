/**
 * Clients as the cluster knows them: the {@link dev.nova.model.ClientSpec} an operator declared, and the
 * {@link dev.nova.model.ClientRecord} saying which node owns it, at which epoch, in which state.
 * {@link dev.nova.client.ClientService} is the one entry point for creating, deleting, restarting and
 * subscribing clients, whether the request comes from the REST API or from configuration at startup; it validates
 * everything before it changes anything.
 */
package dev.nova.client;
