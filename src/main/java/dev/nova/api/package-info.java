/**
 * The admin REST API under {@code /api} and the Server-Sent Event streams. Resources are thin: they translate JSON
 * to calls on the features ({@code ClientService}, {@code TransferService}, {@code Takeover}, the rate limiter) and
 * back. Every error leaves as RFC 9457 {@code application/problem+json} through {@link dev.nova.api.ProblemMapper}.
 * The OpenAPI annotations are the API reference, served at {@code /openapi}.
 */
package dev.nova.api;
