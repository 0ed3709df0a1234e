package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherTopology.*;

import io.swarmsched.dispatcher.selection.StageOne;
import io.swarmsched.dispatcher.state.DecisionBytes;
import io.swarmsched.dispatcher.state.HostAllocationsSerde;
import io.swarmsched.dispatcher.state.HostHealth;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.dispatcher.state.JsonSerde;
import io.swarmsched.dispatcher.state.PendingRequest;
import io.swarmsched.dispatcher.state.StoredDecision;
import io.swarmsched.dispatcher.state.StoredDecisionSerde;
import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.dispatcher.state.TaskStore;
import io.swarmsched.runtime.state.WriteBehindStore;
import io.swarmsched.scheduling.ledger.HostAllocations;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.scheduling.round.SwarmView;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The one holder of the dispatch processor's state, shared by its parts (request rounds, task
 * membership, patrol, host health, decision log): the five stores of one task partition, the
 * instance's {@link HostIndex}, and what is kept in memory beside the stores (quarantine flags, the
 * partition's task ids). One per processor, used by its stream thread only.
 */
final class DispatchStores {
  final KeyValueStore<String, StoredTask> tasks;

  /** The same store without Streams' decorators, for what only it has (its task ids). */
  private final TaskStore taskStore;

  final KeyValueStore<String, StoredDecision> decisions;
  final KeyValueStore<String, PendingRequest> retries;
  final KeyValueStore<String, HostHealth> health;
  final KeyValueStore<String, HostAllocations> ledger;

  /**
   * Decoded hosts and scores of the global tables (shared by the instance's processors, fed by the
   * global thread).
   */
  final HostIndex index;

  /**
   * Hosts quarantined now or before, with the time it ends: mirrors the health store's flags (set
   * only by the patrol).
   */
  private Map<String, Long> quarantinedUntil;

  /**
   * Ids of the tasks in this partition's task store, so the patrol need not decode every task to
   * find them.
   */
  private NavigableSet<String> taskIds;

  /**
   * The ledger keeps at most this many allocations per host: a host that stops publishing scores
   * cannot grow it without bound.
   */
  static final int MAX_ALLOCATIONS_PER_HOST = 4_096;

  /**
   * An allocation older than this no longer counts, even with no newer score (the dispatcher's
   * {@code allocation.ttl}).
   */
  private final long allocationTtlMillis;

  DispatchStores(ProcessorContext<?, ?> context, HostIndex index, long allocationTtlMillis) {
    this.allocationTtlMillis = allocationTtlMillis;
    tasks = context.getStateStore(TASKS_STORE);
    taskStore = TaskStore.of(tasks);
    decisions = context.getStateStore(DECISIONS_STORE);
    retries = context.getStateStore(RETRIES_STORE);
    health = context.getStateStore(HOST_HEALTH_STORE);
    ledger = context.getStateStore(LEDGER_STORE);
    this.index = index;
  }

  /**
   * Declares the five stores on {@code processor} (the ones written on nearly every record behind a
   * {@link WriteBehindStore}, the tasks in a {@link TaskStore}); in memory for a replay. The
   * decision store leaves each new decision's Avro bytes in {@code decisionBytes}, for the
   * decisions topic's serializer.
   */
  static void addTo(Topology topology, String processor, boolean mem, DecisionBytes decisionBytes) {
    topology.addStateStore(
        TaskStore.builder(store(TASKS_STORE, mem, Serdes.ByteArray()), CACHED_TASKS), processor);
    topology.addStateStore(
        store(DECISIONS_STORE, mem, new StoredDecisionSerde(decisionBytes)), processor);
    topology.addStateStore(
        store(RETRIES_STORE, mem, new JsonSerde<>(PendingRequest.class)), processor);
    topology.addStateStore(
        WriteBehindStore.builder(
            store(HOST_HEALTH_STORE, mem, new JsonSerde<>(HostHealth.class)), CACHED_HOSTS),
        processor);
    topology.addStateStore(
        WriteBehindStore.builder(
            store(LEDGER_STORE, mem, new HostAllocationsSerde()), CACHED_HOSTS),
        processor);
  }

  /**
   * In memory (a replay) the stores have no changelog either: a TopologyTestDriver keeps every
   * record sent to a topic nobody reads, and the changelogs held 6 GB after 1.4 M inputs.
   */
  static <V> StoreBuilder<KeyValueStore<String, V>> store(
      String name, boolean inMemory, Serde<V> values) {
    StoreBuilder<KeyValueStore<String, V>> b =
        Stores.keyValueStoreBuilder(
            inMemory ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name),
            Serdes.String(),
            values);
    return inMemory ? b.withLoggingDisabled() : b;
  }

  /** Keys of the retry store: ordered by time, then by request id. */
  static String timeKey(long at, String requestId) {
    return String.format("%019d|%s", Math.max(0, at), requestId);
  }

  // ---------------------------------------------------------------- tasks

  StoredTask loadTask(String taskId) {
    StoredTask t = tasks.get(taskId);
    return t != null ? t : new StoredTask(taskId);
  }

  /** Stores the task, or deletes it once it has no peer and no waiting request. */
  void saveTask(StoredTask task) {
    if (task.isEmpty()) {
      if (tasks.get(task.taskId()) != null) tasks.delete(task.taskId());
      knownTaskIds().remove(task.taskId());
    } else {
      tasks.put(task.taskId(), task);
      knownTaskIds().add(task.taskId());
    }
  }

  NavigableSet<String> knownTaskIds() {
    if (taskIds == null) {
      taskIds = new TreeSet<>(taskStore.taskIds());
    }
    return taskIds;
  }

  // ---------------------------------------------------------------- hosts

  /**
   * The hosts as core's round sees them at {@code now}: quarantine flags set, the ledger read in
   * place, counting only the allocations made within the allocation TTL.
   */
  SwarmView swarm(long now) {
    return StageOne.swarm(
        id -> {
          HostView h = index.host(id);
          if (h == null) return Optional.empty();
          return Optional.of(quarantined(id, now) ? h.withQuarantined(true) : h);
        },
        id -> Optional.ofNullable(index.score(id)),
        index::onlineSeedIds,
        id -> quarantined(id, now),
        ledger::get,
        allocationsCountFrom(now));
  }

  /** The oldest allocation time that still counts at {@code now}. */
  long allocationsCountFrom(long now) {
    return now - allocationTtlMillis;
  }

  boolean quarantined(String hostId, long now) {
    Map<String, Long> q = quarantines();
    if (q.isEmpty()) return false;
    Long until = q.get(hostId);
    return until != null && until > now;
  }

  /** Quarantine ends by host, loaded from the health store on first use. */
  Map<String, Long> quarantines() {
    if (quarantinedUntil == null) {
      quarantinedUntil = new HashMap<>();
      try (KeyValueIterator<String, HostHealth> it = health.all()) {
        while (it.hasNext()) {
          HostHealth hh = it.next().value;
          if (hh != null && hh.quarantinedUntil > 0)
            quarantinedUntil.put(hh.hostId, hh.quarantinedUntil);
        }
      }
    }
    return quarantinedUntil;
  }

  // ---------------------------------------------------------------- ledger

  /**
   * One more child for {@code hostId} at {@code now}, forgetting the allocations its last score
   * already covers.
   */
  void allocateUpload(String hostId, long now) {
    HostAllocations a = ledger.get(hostId);
    if (a == null) a = new HostAllocations();
    ScoreView s = index.score(hostId);
    a.expireBefore(Math.max(allocationsCountFrom(now), s != null ? s.computedAtMillis() : 0));
    a.record(now);
    a.keepNewest(MAX_ALLOCATIONS_PER_HOST);
    ledger.put(hostId, a);
  }
}
