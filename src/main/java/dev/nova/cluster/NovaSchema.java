package dev.nova.cluster;

import dev.nova.model.ClientRecord;
import dev.nova.model.ClientSpec;
import dev.nova.model.ClientState;
import dev.nova.model.Subscription;
import dev.nova.platform.Credentials;
import dev.nova.platform.Platform;
import dev.nova.platform.Secret;
import dev.nova.ratelimit.BucketCommand;
import org.infinispan.protostream.GeneratedSchema;
import org.infinispan.protostream.annotations.ProtoSchema;

/**
 * The ProtoStream schema of every value Nova keeps in a cache; the annotation processor generates its
 * implementation ({@code NovaSchemaImpl}). Add each new cached record type here.
 */
@ProtoSchema(
        includeClasses = {
            Platform.class,
            Secret.class,
            Credentials.class,
            ClientSpec.class,
            ClientState.class,
            ClientRecord.class,
            Subscription.class,
            NodeRecord.class,
            BucketCommand.class
        },
        schemaPackageName = "nova",
        schemaFileName = "nova.proto",
        schemaFilePath = "proto",
        allowNullFields = true)
public interface NovaSchema extends GeneratedSchema {}
