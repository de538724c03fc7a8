package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.context.Flag;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.remoting.transport.Address;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Settling#resolve} on a real two-member cluster (two cache managers over TCP on loopback, Nova's stack and
 * Nova's replicated caches, transactional and not): replicas made to differ by local-only writes are made equal again,
 * also when the node resolving is not the key's primary owner, and a write made after the look wins over the
 * resolution.
 */
class SettlingResolveTest {

    /** A transactional cache (clients, subscriptions, tombstones) and a plain one (nodes). */
    private static final String TRANSACTIONAL = "records";

    private static final String PLAIN = "plain";
    private static final String CLUSTER = "nova-settling-" + UUID.randomUUID();
    private static final int PORT_A = 27_911;
    private static final int PORT_B = 27_912;

    private static DefaultCacheManager a;
    private static DefaultCacheManager b;

    @SuppressWarnings("unchecked")
    private static final EntryMergePolicy<Object, Object> POLICY =
            (EntryMergePolicy<Object, Object>) (EntryMergePolicy<?, ?>) MergePolicy.PREFERRED_NON_NULL;

    @BeforeAll
    static void cluster() {
        a = member("a", PORT_A);
        b = member("b", PORT_B);
        a.start();
        b.start();
        for (DefaultCacheManager member : List.of(a, b)) {
            member.defineConfiguration(
                    TRANSACTIONAL,
                    Transactions.transactional(CacheDeclaration.replicated(true))
                            .build());
            member.defineConfiguration(PLAIN, CacheDeclaration.replicated(true).build());
            member.getCache(TRANSACTIONAL);
            member.getCache(PLAIN);
        }
        assertThat(a.getMembers()).hasSize(2);
    }

    private static DefaultCacheManager member(String name, int port) {
        List<ClusterSettings.HostPort> hosts = List.of(
                new ClusterSettings.HostPort("127.0.0.1", PORT_A), new ClusterSettings.HostPort("127.0.0.1", PORT_B));
        ClusterSettings settings =
                JGroupsStackTest.settings(CLUSTER, "127.0.0.1", port, ClusterSettings.Discovery.STATIC, hosts);
        GlobalConfigurationBuilder global = GlobalConfigurationBuilder.defaultClusteredBuilder();
        global.cacheManagerName("settling-" + name);
        global.jmx().enabled(false);
        global.transport()
                .clusterName(CLUSTER)
                .nodeName(name)
                .addProperty(JGroupsTransport.CONFIGURATION_XML, JGroupsStack.xml(settings));
        return new DefaultCacheManager(global.build(), false);
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.stop();
        }
        if (a != null) {
            a.stop();
        }
    }

    private static AdvancedCache<Object, Object> cache(DefaultCacheManager member, String name) {
        return member.getCache(name).getAdvancedCache();
    }

    private static Address address(DefaultCacheManager member) {
        return member.getAddress();
    }

    /** A fresh key of cache {@code name} whose primary owner is {@code owner}. */
    private static String keyOwnedBy(DefaultCacheManager owner, String name) {
        while (true) {
            String key = "key-" + UUID.randomUUID();
            if (primary(name, key).equals(address(owner))) {
                return key;
            }
        }
    }

    private static Address primary(String name, Object key) {
        return cache(a, name)
                .getDistributionManager()
                .getCacheTopology()
                .getDistribution(key)
                .primary();
    }

    /** Writes only this member's copy, as a side of a split would have. */
    private static void writeOnlyOn(DefaultCacheManager member, String name, String key, String value) {
        cache(member, name).withFlags(Flag.CACHE_MODE_LOCAL).put(key, value);
    }

    /** What each member holds for {@code key} (null: none), read from its own copy. */
    private static Map<Address, Object> replicas(String name, String key) {
        Map<Address, Object> replicas = new HashMap<>();
        replicas.put(address(a), cache(a, name).withFlags(Flag.CACHE_MODE_LOCAL).get(key));
        replicas.put(address(b), cache(b, name).withFlags(Flag.CACHE_MODE_LOCAL).get(key));
        return replicas;
    }

    private static boolean resolveOnA(String name, String key, Map<Address, Object> seen) {
        Cache<Object, Object> cache = cache(a, name);
        return Settling.resolve(cache, POLICY, primary(name, key), address(a), key, seen);
    }

    @ParameterizedTest
    @ValueSource(strings = {TRANSACTIONAL, PLAIN})
    void anEntryOnlyThisNodeHoldsReachesThePrimaryThatLacksIt(String name) {
        String key = keyOwnedBy(b, name);
        writeOnlyOn(a, name, key, "kept");
        Map<Address, Object> seen = replicas(name, key);
        assertThat(seen).containsEntry(address(b), null);

        assertThat(resolveOnA(name, key, seen)).isTrue();
        assertThat(replicas(name, key).values()).containsOnly("kept");
    }

    @ParameterizedTest
    @ValueSource(strings = {TRANSACTIONAL, PLAIN})
    void anEntryOnlyTheOtherNodeHoldsReachesThisNode(String name) {
        String key = keyOwnedBy(b, name);
        writeOnlyOn(b, name, key, "kept");

        assertThat(resolveOnA(name, key, replicas(name, key))).isTrue();
        assertThat(replicas(name, key).values()).containsOnly("kept");
    }

    @ParameterizedTest
    @ValueSource(strings = {TRANSACTIONAL, PLAIN})
    void differingCopiesBecomeThePrimarysWhicheverNodeResolves(String name) {
        String key = keyOwnedBy(b, name);
        writeOnlyOn(a, name, key, "a's");
        writeOnlyOn(b, name, key, "b's");

        assertThat(resolveOnA(name, key, replicas(name, key))).isTrue();
        assertThat(replicas(name, key).values()).containsOnly("b's");
    }

    @ParameterizedTest
    @ValueSource(strings = {TRANSACTIONAL, PLAIN})
    void aWriteMadeAfterTheLookWinsOverTheResolution(String name) {
        String key = keyOwnedBy(b, name);
        writeOnlyOn(a, name, key, "stale");
        Map<Address, Object> seen = replicas(name, key);
        cache(b, name).put(key, "written since");

        assertThat(resolveOnA(name, key, seen)).isFalse();
        assertThat(replicas(name, key).values()).containsOnly("written since");
    }
}
