package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.assertj.core.api.Assertions;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RememberedTest {

    @TempDir
    Path dir;

    /** A local cache manager over the data directory, as a node's would be after a restart. */
    private DefaultCacheManager start(DataSettings data) {
        DefaultCacheManager manager = new DefaultCacheManager(
                new GlobalConfigurationBuilder().nonClusteredDefault().build(), false);
        CacheDeclaration kept = new CacheDeclaration("kept", new ConfigurationBuilder().build(), null).asPersistent();
        CacheDeclaration memory = new CacheDeclaration("memory", new ConfigurationBuilder().build(), null);
        Remembered.persisted(Map.of(kept.name(), kept, memory.name(), memory), data)
                .values()
                .forEach(cache -> manager.defineConfiguration(cache.name(), cache.configuration()));
        CacheDeclaration state = Remembered.declaration(data);
        manager.defineConfiguration(state.name(), state.configuration());
        manager.start();
        return manager;
    }

    @Test
    void aPersistentCacheAndTheReferenceSurviveARestartOfTheCacheManagerAnOrdinaryCacheDoesNot() throws Exception {
        DataSettings data = new DataSettings(dir);
        try (DefaultCacheManager first = start(data)) {
            first.<String, String>getCache("kept").put("client", "record");
            first.<String, String>getCache("memory").put("client", "record");
            new Remembered(first.getCache(ClusterRuntime.NODE_STATE), "a").keep(List.of("a", "b", "c"));
        }
        try (DefaultCacheManager second = start(data)) {
            assertThat(second.<String, String>getCache("kept").get("client")).isEqualTo("record");
            assertThat(second.<String, String>getCache("memory").get("client")).isNull();
            Cache<String, String> state = second.getCache(ClusterRuntime.NODE_STATE);
            assertThat(new Remembered(state, "a").reference()).contains(List.of("a", "b", "c"));
        }
        assertThat(dir.resolve("kept/data")).isDirectory();
        assertThat(dir.resolve("memory")).doesNotExist();
    }

    @Test
    void aNodeThatLeavesOnPurposeRemembersTheMembersItLeavesBehindOrItselfWhenItIsTheLast() throws Exception {
        try (DefaultCacheManager manager = start(new DataSettings(dir))) {
            Remembered b = new Remembered(manager.getCache(ClusterRuntime.NODE_STATE), "b");
            assertThat(b.reference()).as("a first run remembers nothing").isEmpty();

            b.leaving(List.of("a", "b", "c"));
            assertThat(b.reference()).contains(List.of("a", "c"));
            b.keep(List.of("a", "b", "c"));
            assertThat(b.reference())
                    .as("a look at the view queued before the stop does not undo it")
                    .contains(List.of("a", "c"));

            b.leaving(List.of("b"));
            assertThat(b.reference()).contains(List.of("b"));
        }
    }

    @Test
    void theDataDirectoryIsReadAsAnAbsolutePathAndNoneKeepsNothing() {
        assertThat(read(Map.of()).persistent()).isFalse();
        assertThat(read(Map.of(DataSettings.KEY, "none")).persistent()).isFalse();
        Path relative = read(Map.of(DataSettings.KEY, "relative/data")).directory();
        assertThat(relative.isAbsolute()).isTrue();
        assertThat(relative.toString()).endsWith("/relative/data");
        Assertions.assertThatThrownBy(() -> read(Map.of(DataSettings.KEY, "bad\0path")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(DataSettings.KEY);
    }

    private static DataSettings read(Map<String, String> values) {
        Function<String, Optional<String>> lookup = key -> Optional.ofNullable(values.get(key));
        return DataSettings.read(new ConfigReader(lookup));
    }
}
