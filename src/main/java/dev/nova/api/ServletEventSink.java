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
 * connection can take them and completes then; no thread ever waits for a slow reader. One write at a time.
 */
final class ServletEventSink implements EventSink, WriteListener, AsyncListener {

    private final AsyncContext async;
    private final ServletOutputStream out;
    private byte[] pending;
    private boolean flushing;
    private CompletableFuture<Void> written;
    private volatile boolean closed;

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

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            async.complete();
        } catch (IllegalStateException alreadyDone) {
            // the container ended the request already
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
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
