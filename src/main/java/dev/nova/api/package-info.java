/**
 * The admin REST API under {@code /api}: clients, subscriptions and the SSE market-data stream. Resources are
 * thin: they translate JSON to calls on {@link dev.nova.client.ClientService} and back. Every error leaves as RFC
 * 9457 {@code application/problem+json} through {@link dev.nova.api.ProblemMapper}. The OpenAPI annotations are
 * the API reference, served at {@code /openapi}.
 */
package dev.nova.api;
