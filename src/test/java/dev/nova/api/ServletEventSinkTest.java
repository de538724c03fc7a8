package dev.nova.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ServletEventSinkTest {

    private final AsyncContext async = mock(AsyncContext.class);
    private final ServletOutputStream out = mock(ServletOutputStream.class);

    private ServletEventSink sink() throws IOException {
        ServletResponse response = mock(ServletResponse.class);
        when(async.getResponse()).thenReturn(response);
        when(response.getOutputStream()).thenReturn(out);
        when(out.isReady()).thenReturn(true);
        return new ServletEventSink(async);
    }

    @Test
    void aWriteThatFailsStillLetsCloseCompleteTheResponseOnce() throws Exception {
        ServletEventSink sink = sink();
        doThrow(new IOException("connection reset")).when(out).write(any(byte[].class));

        assertThat(sink.write(new byte[] {1}).toCompletableFuture()).isCompletedExceptionally();
        assertThat(sink.isClosed()).isTrue();

        sink.close();
        sink.close();
        verify(async, times(1)).complete();
    }

    @Test
    void aResponseTheContainerCompletedIsNotCompletedAgain() throws Exception {
        ServletEventSink sink = sink();

        sink.onComplete(mock(AsyncEvent.class));
        sink.close();

        assertThat(sink.isClosed()).isTrue();
        verify(async, never()).complete();
    }

    @Test
    void aWriteTheSocketTookCompletesAndClosingEndsTheResponse() throws Exception {
        ServletEventSink sink = sink();

        assertThat(sink.write(new byte[] {1, 2}).toCompletableFuture()).isCompleted();
        verify(out).write(new byte[] {1, 2});
        assertThat(sink.isClosed()).isFalse();

        sink.close();
        verify(async).complete();
        assertThat(sink.write(new byte[] {3}).toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    void closingFailsAWriteStillWaitingForTheConnectionAndDropsItsBytes() throws Exception {
        ServletEventSink sink = sink();
        when(out.isReady()).thenReturn(false);
        var write = sink.write(new byte[] {1, 2}).toCompletableFuture();
        assertThat(write).isNotDone();

        sink.close();

        assertThat(write).isCompletedExceptionally();
        verify(async).complete();
        when(out.isReady()).thenReturn(true);
        sink.onWritePossible();
        verify(out, never()).write(any(byte[].class));
    }
}
