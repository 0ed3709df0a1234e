package io.swarmsched.runtime.streams;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aborts the transaction a killed instance left open on the tasks this instance took over, instead
 * of waiting for {@code transaction.timeout.ms}.
 *
 * <p>Under exactly-once (v2) each stream thread has one transactional producer, and a survivor that
 * takes over a killed instance's tasks does not fence it: the killed instance's open transaction
 * holds back every {@code read_committed} reader (and restore) of the partitions it wrote until the
 * transaction coordinator aborts it after its timeout. That timeout pulls two ways (see {@link
 * StreamsProps#FAILOVER_DEFAULTS}): short, so a killed instance's partitions are visible again
 * soon; long, so that a living instance's transaction held up by a broker failover is not aborted
 * and its producer fenced. This takes the first reason away.
 *
 * <p>The rule: a transaction of this application (its transactional id starts with the application
 * id) that is ongoing, includes a changelog partition of a task this instance now runs as active,
 * and started more than {@link #MARGIN_MS} before this instance saw that task, belongs to the
 * task's previous owner and can never be committed by it: a live previous owner commits before it
 * gives a task up (its tasks are revoked before they are assigned elsewhere), and this instance's
 * own transactions on the task start after it got it. Such a transaction's producer is fenced
 * ({@link Admin#fenceProducers}), which aborts the transaction at once. A transaction on the
 * changelogs of tasks this instance does not run is never touched, so a living instance whose
 * commit a broker failover holds up is left alone.
 */
final class ZombieTransactions
    implements StateRestoreListener, FailoverTaskAssignor.AssignmentListener {
  private static final Logger log = LoggerFactory.getLogger(ZombieTransactions.class);

  /** How much older than the task's arrival here a transaction must be to be another owner's. */
  static final long MARGIN_MS = 1_000;

  /** How long after a task arrives its changelogs are looked at (until one look succeeds). */
  static final long WATCH_MS = 60_000;

  private final String applicationId;
  private final Map<Integer, Set<String>> changelogsBySubtopology;
  private final LongSupplier clock;

  /** Active tasks seen at the last look, with the time each was first seen. */
  private final Map<TaskId, Long> active = new HashMap<>();

  /** Tasks that arrived and whose changelogs have not been looked at successfully yet. */
  private final Map<TaskId, Long> pending = new HashMap<>();

  /** Changelog partitions whose active restore began, not looked at successfully yet. */
  private final Map<TopicPartition, Long> restoring = new HashMap<>();

  private long fenced;
  private boolean woken;

  /**
   * The Streams clients (process ids) of the group's latest assignment made here (on the group
   * leader), not looked at successfully yet, and when it was made.
   */
  private Set<UUID> liveProcesses;

  private long liveAt;

  ZombieTransactions(String applicationId, Topology topology, LongSupplier clock) {
    this(applicationId, changelogsBySubtopology(applicationId, topology.describe()), clock);
  }

  ZombieTransactions(
      String applicationId, Map<Integer, Set<String>> changelogsBySubtopology, LongSupplier clock) {
    this.applicationId = applicationId;
    this.changelogsBySubtopology = changelogsBySubtopology;
    this.clock = clock;
  }

  /**
   * The changelog topic of each store a subtopology's processors use, by subtopology id (Kafka
   * Streams names a store's changelog {@code <application id>-<store>-changelog}; a store without
   * logging has no such topic, so no transaction includes it).
   */
  static Map<Integer, Set<String>> changelogsBySubtopology(
      String applicationId, TopologyDescription description) {
    Map<Integer, Set<String>> out = new HashMap<>();
    for (TopologyDescription.Subtopology s : description.subtopologies()) {
      Set<String> topics = new TreeSet<>();
      for (TopologyDescription.Node node : s.nodes()) {
        if (node instanceof TopologyDescription.Processor p) {
          for (String store : p.stores()) {
            topics.add(applicationId + "-" + store + "-changelog");
          }
        }
      }
      out.put(s.id(), Set.copyOf(topics));
    }
    return Map.copyOf(out);
  }

  /** The active tasks of {@code streams}' local threads. */
  static Set<TaskId> activeTasks(KafkaStreams streams) {
    Set<TaskId> tasks = new HashSet<>();
    for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
      thread.activeTasks().forEach(t -> tasks.add(t.taskId()));
    }
    return tasks;
  }

  /**
   * Notes the tasks active now: a task not active at the last look arrived now and is watched; one
   * no longer active is forgotten.
   */
  synchronized void observe(Set<TaskId> activeNow) {
    long now = clock.getAsLong();
    active.keySet().retainAll(activeNow);
    pending.keySet().retainAll(activeNow);
    for (TaskId task : activeNow) {
      if (active.putIfAbsent(task, now) == null) {
        pending.put(task, now);
      }
    }
    pending.values().removeIf(since -> now - since > WATCH_MS);
    restoring.values().removeIf(since -> now - since > WATCH_MS);
  }

  /** Called by Kafka Streams when an active task's store starts restoring from its changelog. */
  @Override
  public synchronized void onRestoreStart(
      TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
    if (restoring.putIfAbsent(partition, clock.getAsLong()) == null) {
      // a taken-over task is held up right now by whatever its dead owner left open: look at once
      woken = true;
      notifyAll();
    }
  }

  /**
   * Called by {@link FailoverTaskAssignor} on the group leader with the Streams clients of the
   * assignment it made: an ongoing transaction of this application whose transactional id (exactly-
   * once v2: {@code <application id>-<process id>-<thread>}) names a process that is no longer in
   * the group, and that began more than {@link #MARGIN_MS} before the assignment, can only be a
   * dead (or evicted) instance's. It is fenced at once: it holds back read_committed readers of the
   * output partitions it wrote to even when it has not touched a changelog yet (stores are written
   * back at commit), which the restore rule above cannot see.
   */
  @Override
  public synchronized void assigned(Set<UUID> processes) {
    liveProcesses = Set.copyOf(processes);
    liveAt = clock.getAsLong();
    woken = true;
    notifyAll();
  }

  /** The process id in an exactly-once v2 transactional id of this application, if it has one. */
  Optional<UUID> processOf(String transactionalId) {
    if (!ofThisApplication(transactionalId)) return Optional.empty();
    String rest = transactionalId.substring(applicationId.length() + 1);
    if (rest.length() < 38 || rest.charAt(36) != '-') return Optional.empty();
    for (int i = 37; i < rest.length(); i++) {
      if (!Character.isDigit(rest.charAt(i))) return Optional.empty();
    }
    try {
      return Optional.of(UUID.fromString(rest.substring(0, 36)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Waits until a restore starts here or {@code maxMs} pass, whichever comes first (the watch's
   * pace: it looks at once when a restore starts, else every {@code maxMs}).
   */
  synchronized void awaitWork(long maxMs) throws InterruptedException {
    long deadline = System.nanoTime() + maxMs * 1_000_000L;
    long left;
    while (!woken && (left = deadline - System.nanoTime()) > 0) {
      wait(Math.max(1, left / 1_000_000L));
    }
    woken = false;
  }

  @Override
  public void onBatchRestored(
      TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {}

  @Override
  public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {}

  synchronized boolean watching() {
    if (liveProcesses != null && clock.getAsLong() - liveAt > WATCH_MS) liveProcesses = null;
    return !pending.isEmpty() || !restoring.isEmpty() || liveProcesses != null;
  }

  synchronized long fencedSoFar() {
    return fenced;
  }

  /** Exactly-once v2 names a stream thread's transactional id {@code <application id>-...}. */
  private boolean ofThisApplication(String transactionalId) {
    return transactionalId.startsWith(applicationId + "-");
  }

  /** An ongoing transaction as the coordinator describes it. */
  record Txn(String transactionalId, long startMs, Set<TopicPartition> partitions) {}

  /**
   * The transactional ids among {@code ongoing} that a previous owner of a watched task left open
   * (the rule in the class comment).
   */
  synchronized Set<String> zombies(Collection<Txn> ongoing) {
    Set<String> out = new TreeSet<>();
    for (Txn txn : ongoing) {
      if (!ofThisApplication(txn.transactionalId())) {
        continue;
      }
      if (ofADepartedProcess(txn)) {
        out.add(txn.transactionalId());
        continue;
      }
      for (TopicPartition tp : txn.partitions()) {
        if (ownedBefore(tp, txn.startMs())) {
          out.add(txn.transactionalId());
          break;
        }
      }
    }
    return out;
  }

  /** Whether {@code txn} belongs to a process the latest assignment left out, and began before. */
  private boolean ofADepartedProcess(Txn txn) {
    if (liveProcesses == null || txn.startMs() >= liveAt - MARGIN_MS) return false;
    return processOf(txn.transactionalId()).map(p -> !liveProcesses.contains(p)).orElse(false);
  }

  /**
   * Whether {@code tp} is a changelog partition whose restore began, or of a watched task that
   * arrived, here more than the margin after {@code startMs}.
   */
  private boolean ownedBefore(TopicPartition tp, long startMs) {
    Long restoreBegan = restoring.get(tp);
    if (restoreBegan != null && startMs < restoreBegan - MARGIN_MS) {
      return true;
    }
    for (Map.Entry<TaskId, Long> e : pending.entrySet()) {
      TaskId task = e.getKey();
      if (task.partition() == tp.partition()
          && changelogsBySubtopology.getOrDefault(task.subtopology(), Set.of()).contains(tp.topic())
          && startMs < e.getValue() - MARGIN_MS) {
        return true;
      }
    }
    return false;
  }

  /** What one successful look has covered is no longer watched. */
  private synchronized void looked(
      Set<TaskId> tasks, Set<TopicPartition> partitions, Set<UUID> processes) {
    pending.keySet().removeAll(tasks);
    restoring.keySet().removeAll(partitions);
    if (liveProcesses == processes) liveProcesses = null;
  }

  /**
   * One look, if a task is watched: lists the cluster's ongoing transactions of this application,
   * fences those {@link #zombies} names. Failures (a coordinator not answering during a broker
   * failover) are logged and the tasks stay watched for the next look.
   */
  void lookOnce(Admin admin, Duration timeout) {
    if (!watching()) {
      return;
    }
    Set<TaskId> covered;
    Set<TopicPartition> coveredPartitions;
    Set<UUID> coveredProcesses;
    synchronized (this) {
      covered = Set.copyOf(pending.keySet());
      coveredPartitions = Set.copyOf(restoring.keySet());
      coveredProcesses = liveProcesses;
    }
    long ms = timeout.toMillis();
    try {
      Collection<TransactionListing> listings =
          admin
              .listTransactions(
                  new ListTransactionsOptions()
                      .filterStates(List.of(TransactionState.ONGOING))
                      .timeoutMs((int) ms))
              .all()
              .get(ms, TimeUnit.MILLISECONDS);
      List<String> ids =
          listings.stream()
              .map(TransactionListing::transactionalId)
              .filter(this::ofThisApplication)
              .toList();
      Map<String, TransactionDescription> described =
          ids.isEmpty()
              ? Map.of()
              : admin.describeTransactions(ids).all().get(ms, TimeUnit.MILLISECONDS);
      List<Txn> ongoing =
          described.entrySet().stream()
              .filter(e -> e.getValue().state() == TransactionState.ONGOING)
              .filter(e -> e.getValue().transactionStartTimeMs().isPresent())
              .map(
                  e ->
                      new Txn(
                          e.getKey(),
                          e.getValue().transactionStartTimeMs().getAsLong(),
                          e.getValue().topicPartitions()))
              .toList();
      Set<String> zombies = zombies(ongoing);
      if (zombies.isEmpty()) {
        log.info(
            "{}: none of the {} open transactions of the application was left by a previous"
                + " owner of tasks {} (changelogs {})",
            applicationId,
            ongoing.size(),
            new TreeSet<>(covered),
            coveredPartitions);
      } else {
        admin.fenceProducers(zombies).all().get(ms, TimeUnit.MILLISECONDS);
        synchronized (this) {
          fenced += zombies.size();
        }
        log.info(
            "{}: fenced {}, left open by the previous owner of tasks {} (changelogs {}) taken"
                + " over here, or by a process no longer in the group (now {}); aborted now"
                + " instead of at its timeout",
            applicationId,
            zombies,
            new TreeSet<>(covered),
            coveredPartitions,
            coveredProcesses == null ? "not assigned here" : coveredProcesses);
      }
      looked(covered, coveredPartitions, coveredProcesses);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.info("{}: could not look at open transactions: {}", applicationId, e.toString());
    }
  }
}
