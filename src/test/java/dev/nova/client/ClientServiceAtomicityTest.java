package dev.nova.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.when;

import dev.nova.NovaException;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.Tombstones;
import dev.nova.cluster.Transactions;
import dev.nova.model.ClientSpec;
import dev.nova.model.ModelSchemaImpl;
import dev.nova.model.NodeIdentity;
import dev.nova.ownership.ClientLocks;
import dev.nova.ownership.ClientRegistry;
import dev.nova.ownership.Members;
import dev.nova.ownership.Ownership;
import dev.nova.ownership.Reconciler;
import dev.nova.platform.PlatformCatalog;
import dev.nova.platform.TestSecrets;
import dev.nova.subscription.SubscriptionRegistry;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client and its subscriptions are created and deleted together: real (local) transactional caches configured as
 * the cluster configures them, and a failure injected between the two writes. Placement and the reconciler are
 * mocked; the cluster case runs in the ITs.
 */
class ClientServiceAtomicityTest {

    private static final List<String> CHANNELS = List.of("trades.BTC-PERPETUAL.raw", "ticker.BTC-PERPETUAL.100ms");

    private DefaultCacheManager caches;
    private ClientRegistry clients;
    private SubscriptionRegistry subscriptions;
    private ClientService service;
    private ClientSpec spec;

    @BeforeEach
    void start() {
        GlobalConfigurationBuilder global = new GlobalConfigurationBuilder().nonClusteredDefault();
        global.serialization().addContextInitializer(new ModelSchemaImpl());
        caches = new DefaultCacheManager(global.build(), false);
        for (String name : List.of(ClientRegistry.CACHE, SubscriptionRegistry.CACHE, ClusterRuntime.TOMBSTONES)) {
            caches.defineConfiguration(
                    name, Transactions.transactional(new ConfigurationBuilder()).build());
        }
        caches.start();
        ClusterRuntime runtime = new ClusterRuntime() {
            @Override
            public <K, V> Cache<K, V> cache(String name) {
                return caches.getCache(name);
            }
        };
        Tombstones tombstones = new Tombstones(runtime);
        clients = spy(new ClientRegistry(runtime, tombstones));
        subscriptions = spy(new SubscriptionRegistry(runtime, tombstones));
        Members members = mock(Members.class);
        when(members.place(any(), any(), anyList(), any())).thenReturn(Optional.of("n1"));
        when(members.incarnationOf("n1")).thenReturn(Optional.of(7L));
        when(members.self()).thenReturn(new NodeIdentity("n1", "eu", 7L));
        Ownership ownership = mock(Ownership.class);
        when(ownership.members()).thenReturn(members);
        PlatformCatalog platforms = new PlatformCatalog(
                URI.create("wss://www.deribit.com/ws/api/v2"),
                URI.create("wss://stream.binance.com:9443/stream"),
                1024);
        service = new ClientService(
                clients,
                subscriptions,
                ownership,
                mock(Reconciler.class),
                new ClientLocks(),
                platforms,
                null,
                null,
                TestSecrets.box());
        spec = service.validator().spec("c1", "deribit", null, null, null, null, null, null);
    }

    @AfterEach
    void stop() {
        caches.stop();
    }

    @Test
    void aFailureWhileWritingTheSubscriptionsLeavesNoClient() {
        doThrow(new IllegalStateException("the node died here"))
                .when(subscriptions)
                .addAll(anyList());

        assertThatThrownBy(() -> service.create(spec, CHANNELS)).hasMessageContaining("the node died here");

        assertThat(clients.find("c1")).isEmpty();
        assertThat(caches.getCache(ClientRegistry.CACHE).isEmpty()).isTrue();
        assertThat(subscriptions.byClient("c1")).isEmpty();
    }

    @Test
    void aCreateWritesTheClientAndItsSubscriptionsAndARetryFindsThem() {
        ClientService.Creation first = service.create(spec, CHANNELS);
        ClientService.Creation retried = service.create(spec, CHANNELS);

        assertThat(first.created()).isTrue();
        assertThat(first.record().owner()).isEqualTo("n1");
        assertThat(subscriptions.channelsOf("c1")).containsExactlyInAnyOrderElementsOf(CHANNELS);
        assertThat(retried.created()).isFalse();
        assertThat(retried.record()).isEqualTo(first.record());
    }

    @Test
    void aRetriedCreateWithTheSameSecretFindsTheClientAndAnotherSecretIsAConflict() {
        ClientSpec credentialed =
                service.validator().spec("c2", "deribit", null, null, null, null, "acct", "the-secret");
        service.create(credentialed, CHANNELS);

        ClientSpec again = service.validator().spec("c2", "deribit", null, null, null, null, "acct", "the-secret");
        assertThat(again.credentials()).as("sealed anew").isNotEqualTo(credentialed.credentials());
        assertThat(service.create(again, CHANNELS).created()).isFalse();
        ClientSpec other = service.validator().spec("c2", "deribit", null, null, null, null, "acct", "other-secret");
        assertThatThrownBy(() -> service.create(other, CHANNELS))
                .isInstanceOf(NovaException.class)
                .hasMessageContaining("already exists with other settings");
    }

    @Test
    void aFailureWhileRemovingTheClientLeavesItsSubscriptionsAndNoTombstone() {
        service.create(spec, CHANNELS);
        doThrow(new IllegalStateException("the node died here")).when(clients).remove("c1");

        assertThatThrownBy(() -> service.delete("c1")).hasMessageContaining("the node died here");

        assertThat(clients.find("c1")).isPresent();
        assertThat(subscriptions.channelsOf("c1")).containsExactlyInAnyOrderElementsOf(CHANNELS);
        assertThat(caches.getCache(ClusterRuntime.TOMBSTONES).isEmpty()).isTrue();
    }

    @Test
    void aDeleteRemovesBothHalvesAndBuriesThem() {
        service.create(spec, CHANNELS);

        service.delete("c1");

        assertThat(clients.find("c1")).isEmpty();
        assertThat(subscriptions.byClient("c1")).isEmpty();
        assertThat(caches.getCache(ClusterRuntime.TOMBSTONES).keySet())
                .hasSize(1 + CHANNELS.size())
                .contains("client:c1");
    }
}
