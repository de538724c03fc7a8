package dev.nova.cluster;

import org.infinispan.protostream.GeneratedSchema;
import org.infinispan.protostream.annotations.ProtoSchema;

/** The ProtoStream schema of the cluster's own records; the annotation processor generates its implementation. */
@ProtoSchema(
        includeClasses = {NodeRecord.class, Tombstone.class, BridgeRecord.class},
        schemaPackageName = "nova",
        schemaFileName = "nova-cluster.proto",
        schemaFilePath = "proto",
        allowNullFields = true)
public interface ClusterSchema extends GeneratedSchema {}
