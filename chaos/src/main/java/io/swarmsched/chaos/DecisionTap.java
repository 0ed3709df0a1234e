package io.swarmsched.chaos;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows the decisions topic as an agent does ({@code read_committed}, from the beginning of the
 * run's fresh topic) and notes when each terminal decision of one of the run's requests became
 * visible, and for which request partition: the raw material of the recovery times. The counts of
 * the report come from a separate full pass ({@link DecisionAudit}), not from this tap.
 */
final class DecisionTap implements AutoCloseable {
  /**
   * A terminal decision of a harness request, as first seen: when, for which request partition, and
   * where it is in the decisions topic (so that a fault's measure can leave out what was written
   * before the fault and only read after it).
   */
  record Seen(long atMillis, int requestPartition, int decisionPartition, long offset) {
    /**
     * Written at or after {@code ends}, the decisions topic's end offsets at a fault (if known).
     */
    boolean writtenFrom(Map<Integer, Long> ends) {
      return ends.isEmpty() || offset >= ends.getOrDefault(decisionPartition, 0L);
    }
  }

  private final KafkaConsumer<String, ScheduleDecision> consumer;
  private final String requestPrefix;
  private final ToIntFunction<String> partitionOfTask;
  private final Set<String> decided = ConcurrentHashMap.newKeySet();
  private final List<Seen> seen = new ArrayList<>();
  private final Map<Integer, Long> lastSeenAt = new ConcurrentHashMap<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong records = new AtomicLong();
  private final Thread thread;
  private volatile Throwable failure;

  DecisionTap(
      String bootstrap,
      String registryUrl,
      String requestPrefix,
      ToIntFunction<String> partitionOfTask) {
    this.requestPrefix = requestPrefix;
    this.partitionOfTask = partitionOfTask;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                50,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "chaos-decision-tap"),
            new StringDeserializer(),
            SpecificAvroSerde.of(ScheduleDecision.class, Map.of("schema.registry.url", registryUrl))
                .deserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo p :
        consumer.partitionsFor(Topics.SCHEDULE_DECISIONS.name(), Duration.ofSeconds(60))) {
      partitions.add(new TopicPartition(p.topic(), p.partition()));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread = new Thread(this::run, "chaos-decision-tap");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (!stop.get()) {
        for (ConsumerRecord<String, ScheduleDecision> r : consumer.poll(Duration.ofMillis(100))) {
          records.incrementAndGet();
          ScheduleDecision d = r.value();
          if (d == null
              || d.getOutcome() == DecisionOutcome.SEED_TRIGGER
              || !d.getRequestId().startsWith(requestPrefix)) {
            continue;
          }
          if (decided.add(d.getRequestId())) {
            long now = System.currentTimeMillis();
            int partition = partitionOfTask.applyAsInt(d.getTaskId());
            synchronized (seen) {
              seen.add(new Seen(now, partition, r.partition(), r.offset()));
            }
            lastSeenAt.put(partition, now);
          }
        }
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      // closing
    } catch (Throwable t) {
      failure = t;
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Distinct run requests with a terminal decision so far. */
  int decided() {
    return decided.size();
  }

  /**
   * Whether a terminal decision for a request of request partition {@code partition} became visible
   * at or after {@code atMillis}: that partition decides again after a fault.
   */
  boolean decidedSince(int partition, long atMillis) {
    return lastSeenAt.getOrDefault(partition, -1L) >= atMillis;
  }

  /**
   * Whether a terminal decision for a request of request partition {@code partition} that was
   * written to the decisions topic at or after {@code ends} (its end offsets at a fault) has become
   * visible since {@code atMillis}: that partition decides again after the fault, and not merely
   * shows, late, what was decided before it.
   */
  boolean decidedSince(int partition, long atMillis, Map<Integer, Long> ends) {
    if (ends.isEmpty()) return decidedSince(partition, atMillis);
    synchronized (seen) {
      for (int i = seen.size() - 1; i >= 0; i--) {
        Seen s = seen.get(i);
        if (s.atMillis() < atMillis) return false;
        if (s.requestPartition() == partition && s.writtenFrom(ends)) return true;
      }
    }
    return false;
  }

  boolean isDecided(String requestId) {
    return decided.contains(requestId);
  }

  List<Seen> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** The tap's consumer failed (the run cannot measure what it claims); null while healthy. */
  Throwable failure() {
    return failure;
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    consumer.wakeup();
    thread.join(10_000);
  }
}
