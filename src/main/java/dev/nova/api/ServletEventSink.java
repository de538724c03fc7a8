package dev.nova.api;

import dev.nova.stream.EventSink;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An SSE response written with Servlet non-blocking I/O: a write hands its bytes to the container when the
 * connection can take them and completes then. One write at a time. On Open Liberty the write and flush still reach
 * the socket synchronously on the calling thread (a delivery thread): a reader that stops reading holds that thread
 * until its socket drains or Liberty's write timeout fails the write, which is why the delivery pool grows (see
 * {@code NovaExecutors}).
 */
final class ServletEventSink implements EventSink, WriteListener, AsyncListener {

    private final AsyncContext async;
    private final ServletOutputStream out;
    private byte[] pending;
    private boolean flushing;
    private CompletableFuture<Void> written;
    private volatile boolean closed;
    /** Whether {@link #close} completed the asynchronous context, or the container reported it complete. */
    private boolean completed;

    ServletEventSink(AsyncContext async) throws IOException {
        this.async = async;
        this.out = async.getResponse().getOutputStream();
        async.addListener(this);
        out.setWriteListener(this);
    }

    @Override
    public synchronized CompletionStage<Void> write(byte[] events) {
        if (closed) {
            return CompletableFuture.failedFuture(new IOException("the consumer went away"));
        }
        if (written != null && !written.isDone()) {
            return CompletableFuture.failedFuture(new IllegalStateException("a write is still in progress"));
        }
        pending = events;
        written = new CompletableFuture<>();
        CompletableFuture<Void> result = written;
        progress();
        return result;
    }

    /** Writes, then flushes, as far as the connection allows now; the container calls back for the rest. */
    private synchronized void progress() {
        if (closed) {
            return; // what was left to write is dropped
        }
        try {
            if (pending != null && out.isReady()) {
                out.write(pending);
                pending = null;
                flushing = true;
            }
            if (pending == null && flushing && out.isReady()) {
                out.flush();
                flushing = false;
            }
            if (pending == null && !flushing && written != null && !written.isDone() && out.isReady()) {
                written.complete(null);
            }
        } catch (IOException | IllegalStateException e) {
            fail(e);
        }
    }

    @Override
    public void onWritePossible() {
        progress();
    }

    @Override
    public void onError(Throwable error) {
        fail(error);
    }

    private synchronized void fail(Throwable error) {
        closed = true;
        if (written != null && !written.isDone()) {
            written.completeExceptionally(error);
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Ends the response, once. Also after a failed write (which already marked the sink closed): a request whose
     * asynchronous context is never completed stays open in the container (the stream has no timeout), and Liberty's
     * stop then waited its whole quiesce period for it. A write waiting for the connection to become ready ({@code
     * isReady()} false) fails: its lane then resumes and discards what it had queued, rather than holding it until the
     * container gives up on the write. A write inside Liberty's synchronous socket write holds this sink's monitor,
     * and the close waits for it.
     */
    @Override
    public void close() {
        CompletableFuture<Void> unfinished;
        boolean completeNow;
        synchronized (this) {
            closed = true;
            pending = null;
            unfinished = written != null && !written.isDone() ? written : null;
            completeNow = !completed;
            completed = true;
        }
        if (unfinished != null) {
            unfinished.completeExceptionally(new IOException("the stream was closed"));
        }
        if (!completeNow) {
            return;
        }
        try {
            async.complete();
        } catch (IllegalStateException alreadyDone) {
            // the container ended the request already
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        synchronized (this) {
            completed = true;
        }
        fail(new IOException("the stream ended"));
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        fail(new IOException("the stream timed out"));
    }

    @Override
    public void onError(AsyncEvent event) {
        fail(event.getThrowable() == null ? new IOException("the consumer went away") : event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // nothing to do
    }
}
