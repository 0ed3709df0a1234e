package io.swarmsched.ingest.topology;

import io.swarmsched.schemas.HostState;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's hosts, decoded: the contents of its {@link IngestTopology#HOST_STORE} (state and heard
 * time, {@link StoredHost}), plus when each host's state was last published. Kept beside the stores
 * so that a heartbeat reads its host's state without an Avro decode (the decode step's replay check
 * and the fold each decoded it once per heartbeat), and the liveness patrol walks memory instead of
 * decoding every stored state every second.
 *
 * <p>Write-through, never write-behind: {@link HostStateProcessor} writes the stores (and so their
 * changelogs, in the same transaction as the heartbeat's offset) before it changes this copy. The
 * stores stay the source of truth; the copy is rebuilt from them whenever the task's processors are
 * initialised, which Kafka Streams does after it restored the stores from their changelogs (a
 * restart, a task moved here, or a task revived after an aborted transaction). Only one thread
 * touches a table: the one running its task.
 */
final class HostTable {

  /** A host as ingest holds it. Mutable: updated in place on every accepted heartbeat. */
  static final class Entry {
    /** The last accepted state, exactly as stored. */
    HostState state;

    /** Wall-clock millis when ingest last accepted a heartbeat from the host. */
    long heardMs;

    /**
     * Wall-clock millis when a state of this host was last published on swarm.hosts.v1, or {@link
     * #NEVER} when not known: this task has not published one since it was (re)initialised.
     */
    long publishedAtMs = NEVER;

    boolean publishedKnown() {
      return publishedAtMs != NEVER;
    }
  }

  static final long NEVER = Long.MIN_VALUE;

  private final Map<String, Entry> entries;

  private HostTable(Map<String, Entry> entries) {
    this.entries = entries;
  }

  /**
   * The table of what the store holds now. A value without a heard time (written before it was kept
   * in the store) gets {@link StoredHost#heardOrEstimate}.
   */
  static HostTable load(KeyValueStore<String, StoredHost> hosts) {
    Map<String, Entry> entries = new HashMap<>();
    try (KeyValueIterator<String, StoredHost> all = hosts.all()) {
      while (all.hasNext()) {
        KeyValue<String, StoredHost> kv = all.next();
        Entry e = new Entry();
        e.state = kv.value.state();
        e.heardMs = kv.value.heardOrEstimate();
        entries.put(kv.key, e);
      }
    }
    return new HostTable(entries);
  }

  Entry get(String hostId) {
    return entries.get(hostId);
  }

  /** The host's last accepted state, or null. */
  HostState state(String hostId) {
    Entry e = entries.get(hostId);
    return e == null ? null : e.state;
  }

  Entry add(String hostId) {
    Entry e = new Entry();
    entries.put(hostId, e);
    return e;
  }

  void remove(String hostId) {
    entries.remove(hostId);
  }

  Collection<Map.Entry<String, Entry>> entries() {
    return entries.entrySet();
  }

  int size() {
    return entries.size();
  }
}
