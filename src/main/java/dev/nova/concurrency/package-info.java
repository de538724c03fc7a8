/**
 * Nova's threads. They all come from Jakarta Concurrency's {@code ManagedThreadFactory}, so they carry the
 * application's context; work arriving on threads Nova does not own (Tyrus, Infinispan, JGroups) is handed to
 * these pools before it touches CDI or JAX-RS. {@link dev.nova.concurrency.SerialExecutor} gives each client a
 * single-threaded control lane on a shared pool.
 */
package dev.nova.concurrency;
