package dev.nova.cluster;

import jakarta.transaction.TransactionManager;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.infinispan.commons.tx.lookup.TransactionManagerLookup;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.transaction.LockingMode;
import org.infinispan.transaction.TransactionMode;
import org.infinispan.transaction.lookup.EmbeddedTransactionManagerLookup;
import org.infinispan.transaction.tm.EmbeddedTransactionManager;

/**
 * Writes to several caches that stand or fall together: a client and its subscriptions, a delete and its tombstones.
 * The caches taking part are transactional ({@link #transactional}) and share Infinispan's embedded transaction
 * manager, so one {@link #atomically} block commits all of its writes or none (an exception inside it rolls every
 * one back; so does a commit that fails, e.g. a lock timeout).
 */
public final class Transactions {

    private static final Logger LOG = Logger.getLogger(Transactions.class.getName());
    private static final TransactionManagerLookup LOOKUP = new EmbeddedTransactionManagerLookup();

    private Transactions() {}

    /** How long a member keeps a remote transaction before it asks the originator whether it still runs it. */
    static final long ORPHAN_CHECK_AFTER_MS = 20_000;

    /** How often the member looks for such transactions. */
    static final long ORPHAN_CHECK_EVERY_MS = 5_000;

    /**
     * Makes a cache transactional, with pessimistic locking: a conditional write holds the key's lock until the
     * commit, so it stays correct when retried across a topology change. A member that was excluded (hung, cut off)
     * and merged back can hold a lock for a transaction whose originator gave up on it meanwhile and never told it:
     * Infinispan's reaper asks the originator about remote transactions older than the completed-transaction timeout
     * and rolls back those it does not know. Its defaults (60 s, every 30 s) kept such a lock, and the entry it
     * guards apart between the members, for 40 s in a chaos run; here at most about 25 s.
     */
    public static ConfigurationBuilder transactional(ConfigurationBuilder builder) {
        builder.transaction()
                .transactionMode(TransactionMode.TRANSACTIONAL)
                .lockingMode(LockingMode.PESSIMISTIC)
                .transactionManagerLookup(LOOKUP)
                .completedTxTimeout(ORPHAN_CHECK_AFTER_MS)
                .reaperWakeUpInterval(ORPHAN_CHECK_EVERY_MS);
        return builder;
    }

    /** Runs {@code work} in one transaction over the transactional caches; joins the caller's when there is one. */
    public static <T> T atomically(Supplier<T> work) {
        TransactionManager tm = EmbeddedTransactionManager.getInstance();
        try {
            if (tm.getTransaction() != null) {
                return joined(tm, work);
            }
            tm.begin();
        } catch (Exception e) {
            throw new IllegalStateException("NOVA-1016 no transaction could be started: " + e, e);
        }
        T result;
        try {
            result = work.get();
        } catch (RuntimeException | Error e) {
            rollback(tm);
            throw e;
        }
        try {
            tm.commit();
        } catch (Exception e) {
            throw new IllegalStateException("NOVA-1017 the transaction did not commit: " + e, e);
        }
        return result;
    }

    /** Work inside the caller's transaction: a failure marks it rollback-only, so a caller that catches cannot commit half. */
    private static <T> T joined(TransactionManager tm, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException | Error e) {
            try {
                tm.setRollbackOnly();
            } catch (Exception marking) {
                e.addSuppressed(marking);
            }
            throw e;
        }
    }

    /** {@link #atomically(Supplier)} for work without a result. */
    public static void atomically(Runnable work) {
        atomically(() -> {
            work.run();
            return null;
        });
    }

    private static void rollback(TransactionManager tm) {
        try {
            tm.rollback();
        } catch (Exception e) {
            LOG.warning(() -> "NOVA-1018 rollback failed: " + e);
        }
    }
}
