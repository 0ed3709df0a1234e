package io.swarmsched.runtime.query;

import java.util.function.Supplier;

/**
 * Marks the calls an interactive query makes into a store from a thread that is not the store's
 * stream thread. A store wrapper that keeps state for its stream thread alone (the dispatcher's
 * write-behind cache) answers such calls from the store beneath it, the state as of the last
 * commit, and never touches its own unsynchronised cache from the query's thread.
 */
public final class QueryThreads {
  private static final ThreadLocal<Boolean> ACTIVE = ThreadLocal.withInitial(() -> Boolean.FALSE);

  private QueryThreads() {}

  /** True while the current thread runs an interactive query. */
  public static boolean active() {
    return ACTIVE.get();
  }

  /** Runs {@code query} marked as an interactive query. */
  public static <T> T run(Supplier<T> query) {
    boolean outer = ACTIVE.get();
    ACTIVE.set(Boolean.TRUE);
    try {
      return query.get();
    } finally {
      ACTIVE.set(outer);
    }
  }
}
