package dev.nova.ratelimit;

import org.infinispan.protostream.GeneratedSchema;
import org.infinispan.protostream.annotations.ProtoSchema;

/** The ProtoStream schema of the commands the rate limiter applies to budgets inside Infinispan. */
@ProtoSchema(
        includeClasses = {BucketCommand.class},
        schemaPackageName = "nova",
        schemaFileName = "nova-ratelimit.proto",
        schemaFilePath = "proto",
        allowNullFields = true)
public interface RateLimitSchema extends GeneratedSchema {}
