package dev.nova.ratelimit;

import io.github.bucket4j.distributed.remote.AbstractBinaryTransaction;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import java.util.function.Function;
import org.infinispan.functional.EntryView;
import org.infinispan.protostream.annotations.Proto;

/**
 * One Bucket4j command (serialized by Bucket4j) applied to a bucket's state inside Infinispan: the function of a
 * functional-map {@code eval}, run under the key's lock on its primary owner and replayed on the backups. The
 * command carries the caller's clock, so every replica computes the same state.
 */
@Proto
public record BucketCommand(byte[] request) implements Function<EntryView.ReadWriteEntryView<String, byte[]>, byte[]> {

    @Override
    public byte[] apply(EntryView.ReadWriteEntryView<String, byte[]> entry) {
        return new AbstractBinaryTransaction(request) {
            @Override
            public boolean exists() {
                return entry.find().isPresent();
            }

            @Override
            protected byte[] getRawState() {
                return entry.get();
            }

            @Override
            protected void setRawState(byte[] state, RemoteBucketState newState) {
                entry.set(state);
            }
        }.execute();
    }
}
