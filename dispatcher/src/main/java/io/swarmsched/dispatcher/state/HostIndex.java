package io.swarmsched.dispatcher.state;

import io.swarmsched.runtime.auth.ServiceKeys;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.schemas.HostKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * Decoded views of the two global tables ({@code swarm.hosts.v1}, {@code swarm.host-scores.v1}),
 * one per dispatcher instance, so that stage 1 reads a host or a score as a map lookup instead of a
 * store read and an Avro decode. The global thread writes it (the global stores' processors,
 * including on restore); the stream threads read it. Also keeps the online super seeds and the
 * workers, so that the seed choice and job placement do not scan every host.
 *
 * <p>Keys are the records' keys, as in the stores. Host views are kept with {@code quarantined ==
 * false}: the quarantine is the dispatcher's own state, applied per lookup. Seeds and workers are
 * listed in the order the stores would scan them (UTF-8 byte order of the key), so that the results
 * equal a scan of the store.
 */
public final class HostIndex {
  /** RocksDB's key order for String keys: unsigned UTF-8 bytes, i.e. Unicode code points. */
  public static final Comparator<String> STORE_ORDER = HostIndex::compareCodePoints;

  private final Map<String, HostView> hosts = new ConcurrentHashMap<>();
  private final Map<String, ScoreView> scores = new ConcurrentHashMap<>();
  private final ConcurrentSkipListMap<String, String> onlineSeeds =
      new ConcurrentSkipListMap<>(STORE_ORDER);
  private final ConcurrentSkipListMap<String, HostView> workers =
      new ConcurrentSkipListMap<>(STORE_ORDER);
  private final Set<Consumer<String>> hostListeners = ConcurrentHashMap.newKeySet();

  /** Host id → what it is bound to ({@code swarm.host-keys.v1}, the third global table). */
  private final Map<String, HostKey> keys = new ConcurrentHashMap<>();

  /** The public keys of services' bindings → their binding id. */
  private final Map<ByteBuffer, String> serviceKeys = new ConcurrentHashMap<>();

  /** What {@code hostId} is bound to (a key or an HTTP principal), or null when unbound. */
  public HostKey binding(String hostId) {
    return hostId == null ? null : keys.get(hostId);
  }

  /**
   * Whether {@code x509} is a service's key (bound under {@link ServiceKeys#PREFIX}): records it
   * signed, such as the dispatcher's own LEFT events, speak for any host.
   */
  public boolean serviceKey(byte[] x509) {
    return x509 != null && serviceKeys.containsKey(ByteBuffer.wrap(x509));
  }

  public void putBinding(String hostId, HostKey binding) {
    HostKey before = binding == null ? keys.remove(hostId) : keys.put(hostId, binding);
    if (ServiceKeys.reserved(hostId)) {
      if (before != null && before.getPublicKey() != null) {
        serviceKeys.remove(before.getPublicKey().duplicate());
      }
      if (binding != null && binding.getPublicKey() != null) {
        serviceKeys.put(binding.getPublicKey().duplicate(), hostId);
      }
    }
  }

  public void replaceBindings(Map<String, HostKey> all) {
    keys.clear();
    serviceKeys.clear();
    all.forEach(this::putBinding);
  }

  /**
   * Timestamps of the host and score records applied per key, and the largest applied per table:
   * the provenance a decision carries (a replay explains a different decision by them).
   */
  private final Map<String, Long> hostVersions = new ConcurrentHashMap<>();

  private final Map<String, Long> scoreVersions = new ConcurrentHashMap<>();
  private volatile long hostsAsOf = -1;
  private volatile long scoresAsOf = -1;

  /** The timestamp of the host record applied under {@code key}, or -1. */
  public long hostVersion(String key) {
    Long v = key == null ? null : hostVersions.get(key);
    return v == null ? -1 : v;
  }

  /** The timestamp of the score record applied under {@code key}, or -1. */
  public long scoreVersion(String key) {
    Long v = key == null ? null : scoreVersions.get(key);
    return v == null ? -1 : v;
  }

  /** The largest timestamp of the host records applied, or -1. */
  public long hostsAsOf() {
    return hostsAsOf;
  }

  /** The largest timestamp of the score records applied, or -1. */
  public long scoresAsOf() {
    return scoresAsOf;
  }

  /** A host record (or tombstone) of {@code timestamp} was applied under {@code key}. */
  public void hostApplied(String key, long timestamp) {
    if (key == null) return;
    hostVersions.put(key, timestamp);
    if (timestamp > hostsAsOf) hostsAsOf = timestamp;
  }

  /** A score record (or tombstone) of {@code timestamp} was applied under {@code key}. */
  public void scoreApplied(String key, long timestamp) {
    if (key == null) return;
    scoreVersions.put(key, timestamp);
    if (timestamp > scoresAsOf) scoresAsOf = timestamp;
  }

  /**
   * Per partition of each table's topic, the offset after the last record applied (-1: none since
   * start). Written by the global thread only, so a copy-on-write array is enough; a decision
   * records them so that a replay presents exactly the table it saw (positions, unlike timestamps,
   * say which records of every partition had arrived).
   */
  private volatile long[] hostsPositions = new long[0];

  private volatile long[] scoresPositions = new long[0];

  /** The host record at {@code offset} of {@code partition} was applied (or skipped). */
  public void hostPosition(int partition, long offset) {
    hostsPositions = advanced(hostsPositions, partition, offset);
  }

  /** The score record at {@code offset} of {@code partition} was applied (or skipped). */
  public void scorePosition(int partition, long offset) {
    scoresPositions = advanced(scoresPositions, partition, offset);
  }

  /** The host table's positions, indexed by partition (see {@link #hostPosition}). */
  public List<Long> hostsPositions() {
    return boxed(hostsPositions);
  }

  /** The score table's positions, indexed by partition. */
  public List<Long> scoresPositions() {
    return boxed(scoresPositions);
  }

  private static long[] advanced(long[] positions, int partition, long offset) {
    if (partition < 0 || offset < 0) return positions;
    long[] next = Arrays.copyOf(positions, Math.max(positions.length, partition + 1));
    for (int i = positions.length; i < next.length; i++) next[i] = -1;
    next[partition] = Math.max(next[partition], offset + 1);
    return next;
  }

  private static List<Long> boxed(long[] positions) {
    List<Long> out = new ArrayList<>(positions.length);
    for (long p : positions) out.add(p);
    return out;
  }

  /** The host stored under {@code key}, or null. */
  public HostView host(String key) {
    return key == null ? null : hosts.get(key);
  }

  /** The score stored under {@code key}, or null. */
  public ScoreView score(String key) {
    return key == null ? null : scores.get(key);
  }

  /** Host ids of the ONLINE SUPER_SEED hosts, in store order. */
  public List<String> onlineSeedIds() {
    return new ArrayList<>(onlineSeeds.values());
  }

  /**
   * Hosts that take jobs ({@code capacity.maxTasks > 0}), in store order: a live read-only view
   * (weakly consistent while the global thread updates it), not a copy.
   */
  public Collection<HostView> workers() {
    return java.util.Collections.unmodifiableCollection(workers.values());
  }

  public int hostCount() {
    return hosts.size();
  }

  public int scoreCount() {
    return scores.size();
  }

  /**
   * Calls {@code listener} with the key of every host record that arrives from now on (on the
   * thread that applies it); the returned action stops that. The job pool keeps its order of free
   * workers up to date this way instead of rescanning every worker.
   */
  public Runnable onHostChange(Consumer<String> listener) {
    hostListeners.add(listener);
    return () -> hostListeners.remove(listener);
  }

  /** A host record arrived: {@code view == null} is a tombstone. */
  public void putHost(String key, HostView view) {
    if (key == null) return;
    try {
      apply(key, view);
    } finally {
      for (Consumer<String> l : hostListeners) l.accept(key);
    }
  }

  private void apply(String key, HostView view) {
    if (view == null) {
      hosts.remove(key);
      onlineSeeds.remove(key);
      workers.remove(key);
      return;
    }
    HostView v = view.quarantined() ? view.withQuarantined(false) : view;
    key = key.intern(); // the same instance as core peers' host ids: lookups compare by identity
    hosts.put(key, v);
    if (v.type() == HostType.SUPER_SEED && v.liveness() == Liveness.ONLINE) {
      onlineSeeds.put(key, v.hostId());
    } else {
      onlineSeeds.remove(key);
    }
    if (v.capacity().maxTasks() > 0) {
      workers.put(key, v);
    } else {
      workers.remove(key);
    }
  }

  /** A score record arrived: {@code view == null} is a tombstone. */
  public void putScore(String key, ScoreView view) {
    if (key == null) return;
    if (view == null) {
      scores.remove(key);
    } else {
      scores.put(key.intern(), view);
    }
  }

  /**
   * Makes the hosts exactly {@code all} (a full scan of the store at start-up); never empty in
   * between.
   */
  public void replaceHosts(Map<String, HostView> all) {
    all.forEach(this::putHost);
    for (String key : new ArrayList<>(hosts.keySet())) {
      if (!all.containsKey(key)) putHost(key, null);
    }
  }

  /** Makes the scores exactly {@code all}; never empty in between. */
  public void replaceScores(Map<String, ScoreView> all) {
    all.forEach(this::putScore);
    for (String key : new ArrayList<>(scores.keySet())) {
      if (!all.containsKey(key)) putScore(key, null);
    }
  }

  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) return Integer.compare(ca, cb);
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
