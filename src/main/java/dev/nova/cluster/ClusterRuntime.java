package dev.nova.cluster;

import dev.nova.client.ClientRecord;
import dev.nova.config.NovaSettings;
import dev.nova.subscription.Subscription;
import io.reactivex.rxjava3.schedulers.Schedulers;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;

/**
 * Owns this node's Infinispan cache manager and the caches of cluster state. The caches are local for now; the
 * cluster issue turns them into replicated caches over a JGroups transport without changing their users.
 */
@ApplicationScoped
public class ClusterRuntime {

    /** Cache of {@link ClientRecord} by client name. */
    public static final String CLIENTS = "clients";
    /** Cache of {@link Subscription} by subscription id. */
    public static final String SUBSCRIPTIONS = "subscriptions";

    private static final Logger LOG = Logger.getLogger(ClusterRuntime.class.getName());

    private final NovaSettings settings;
    private NodeIdentity identity;
    private EmbeddedCacheManager manager;

    @Inject
    public ClusterRuntime(NovaSettings settings) {
        this.settings = settings;
    }

    protected ClusterRuntime() {
        this.settings = null;
    }

    @PostConstruct
    void start() {
        identity = new NodeIdentity(settings.nodeName(), settings.nodeRegion(), System.currentTimeMillis());
        GlobalConfigurationBuilder global = new GlobalConfigurationBuilder().nonClusteredDefault();
        global.cacheManagerName("nova-" + identity.name());
        global.jmx().enabled(false);
        global.serialization().addContextInitializer(new NovaSchemaImpl());
        manager = new DefaultCacheManager(global.build());
        ConfigurationBuilder local = new ConfigurationBuilder();
        local.clustering().cacheMode(CacheMode.LOCAL);
        manager.defineConfiguration(CLIENTS, local.build());
        manager.defineConfiguration(SUBSCRIPTIONS, local.build());
        manager.getCache(CLIENTS);
        manager.getCache(SUBSCRIPTIONS);
        LOG.info(() ->
                "NOVA-1001 node " + identity.name() + " (region " + identity.region() + ") started its cache manager");
    }

    @PreDestroy
    void stop() {
        if (manager != null) {
            manager.stop();
        }
        // Infinispan's RxJava schedulers would otherwise keep a thread holding this application's class loader.
        Schedulers.shutdown();
    }

    @Produces
    public NodeIdentity identity() {
        return identity;
    }

    public Cache<String, ClientRecord> clients() {
        return manager.getCache(CLIENTS);
    }

    public Cache<String, Subscription> subscriptions() {
        return manager.getCache(SUBSCRIPTIONS);
    }
}
