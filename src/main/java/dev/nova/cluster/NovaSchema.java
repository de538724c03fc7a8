package dev.nova.cluster;

import dev.nova.client.ClientRecord;
import dev.nova.client.ClientSpec;
import dev.nova.client.ClientState;
import dev.nova.platform.Credentials;
import dev.nova.platform.Platform;
import dev.nova.platform.Secret;
import dev.nova.ratelimit.BucketCommand;
import dev.nova.subscription.Subscription;
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
