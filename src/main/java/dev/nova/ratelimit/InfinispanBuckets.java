package dev.nova.ratelimit;

import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.proxy.AbstractProxyManager;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.remote.CommandResult;
import io.github.bucket4j.distributed.remote.Request;
import io.github.bucket4j.distributed.serialization.InternalSerializationHelper;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;
import org.infinispan.functional.FunctionalMap;
import org.infinispan.functional.impl.FunctionalMapImpl;
import org.infinispan.functional.impl.ReadWriteMapImpl;

/**
 * Bucket4j's buckets kept in an Infinispan cache: each command is one functional-map {@code eval} on the bucket's
 * key, executed atomically by the key's primary owner: one cluster round trip per command. Bucket4j publishes
 * its own Infinispan module only for Infinispan 15; this is the same binding for the Infinispan Nova runs.
 */
final class InfinispanBuckets extends AbstractProxyManager<String> {

    private final Cache<String, byte[]> cache;
    private final FunctionalMap.ReadWriteMap<String, byte[]> map;
    private final Duration timeout;

    InfinispanBuckets(Cache<String, byte[]> cache, Duration timeout) {
        // The requester's wall clock travels with every command: the replicas that replay it agree on the state.
        super(ClientSideConfig.getDefault().withClientClock(TimeMeter.SYSTEM_MILLISECONDS));
        this.cache = cache;
        this.map = ReadWriteMapImpl.create(FunctionalMapImpl.create(cache.getAdvancedCache()));
        this.timeout = timeout;
    }

    @Override
    protected <T> CommandResult<T> execute(String key, Request<T> request) {
        return executeAsync(key, request).join();
    }

    @Override
    protected <T> CompletableFuture<CommandResult<T>> executeAsync(String key, Request<T> request) {
        byte[] command = InternalSerializationHelper.serializeRequest(request);
        return map.eval(key, new BucketCommand(command))
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(result -> InternalSerializationHelper.deserializeResult(
                        result, request.getBackwardCompatibilityVersion()));
    }

    @Override
    protected CompletableFuture<Void> removeAsync(String key) {
        return cache.removeAsync(key).thenApply(previous -> null);
    }

    @Override
    public void removeProxy(String key) {
        cache.remove(key);
    }

    @Override
    public boolean isAsyncModeSupported() {
        return true;
    }
}
