package dev.nova.model;

import dev.nova.platform.Credentials;
import dev.nova.platform.Platform;
import dev.nova.platform.Secret;
import org.infinispan.protostream.GeneratedSchema;
import org.infinispan.protostream.annotations.ProtoSchema;

/**
 * The ProtoStream schema of the shared values the cluster keeps in its caches (clients and subscriptions); the
 * annotation processor generates its implementation ({@code ModelSchemaImpl}). Add each new cached value type here.
 */
@ProtoSchema(
        includeClasses = {
            Platform.class,
            Secret.class,
            Credentials.class,
            ClientSpec.class,
            ClientState.class,
            ClientRecord.class,
            Subscription.class
        },
        schemaPackageName = "nova",
        schemaFileName = "nova.proto",
        schemaFilePath = "proto",
        allowNullFields = true)
public interface ModelSchema extends GeneratedSchema {}
