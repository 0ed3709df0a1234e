package io.swarmsched.chaos;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The verdict's evidence: one fresh {@code read_committed} pass over the whole decisions topic (and
 * the requests topic), from the beginning to the last stable offset, as a new agent would read
 * them. Every terminal decision of a run request is kept with where it was read, so a request
 * decided or delivered twice can be shown record by record.
 */
final class DecisionAudit {
  /** One terminal decision as read: enough to tell two decisions apart and to find the record. */
  record Delivery(
      String decisionId,
      String outcome,
      String reason,
      List<String> parentHosts,
      int attempt,
      long decidedAt,
      int partition,
      long offset) {
    /**
     * What must be equal for two deliveries to be the same decision: its id and what it tells the
     * host to do (the round count and stream time may differ on a replayed request).
     */
    List<Object> content() {
      return List.of(decisionId, outcome, String.valueOf(reason), parentHosts);
    }
  }

  final Map<String, List<Delivery>> byRequest = new HashMap<>();
  final Map<String, Long> outcomes = new TreeMap<>();
  long seedTriggers;
  long otherDecisions; // terminal decisions of request ids that are not the run's (e.g.
  // parent-lost/...)
  long decisionRecords;
  final Map<String, Integer> requestsOnTopic = new HashMap<>();

  static DecisionAudit read(
      String bootstrap, String registryUrl, String requestPrefix, Duration timeout) {
    DecisionAudit audit = new DecisionAudit();
    Map<String, Object> serde = Map.of("schema.registry.url", registryUrl);
    readAll(
        bootstrap,
        Topics.SCHEDULE_DECISIONS.name(),
        SpecificAvroSerde.of(ScheduleDecision.class, serde).deserializer(),
        timeout,
        r -> {
          audit.decisionRecords++;
          ScheduleDecision d = r.value();
          if (d == null) {
            return;
          }
          if (d.getOutcome() == DecisionOutcome.SEED_TRIGGER) {
            audit.seedTriggers++;
            return;
          }
          if (!d.getRequestId().startsWith(requestPrefix)) {
            audit.otherDecisions++;
            return;
          }
          List<String> parents = new ArrayList<>();
          for (ParentCandidate p : d.getParents()) {
            parents.add(p.getHostId());
          }
          audit.outcomes.merge(d.getOutcome().name(), 1L, Long::sum);
          audit
              .byRequest
              .computeIfAbsent(d.getRequestId(), k -> new ArrayList<>(1))
              .add(
                  new Delivery(
                      d.getDecisionId(),
                      d.getOutcome().name(),
                      d.getReason(),
                      parents,
                      d.getAttempt(),
                      d.getDecidedAt().toEpochMilli(),
                      r.partition(),
                      r.offset()));
        });
    readAll(
        bootstrap,
        Topics.SCHEDULE_REQUESTS.name(),
        SpecificAvroSerde.of(ScheduleRequest.class, serde).deserializer(),
        timeout,
        r -> {
          if (r.value() != null && r.value().getRequestId().startsWith(requestPrefix)) {
            audit.requestsOnTopic.merge(r.value().getRequestId(), 1, Integer::sum);
          }
        });
    return audit;
  }

  /** Request ids delivered more than once. */
  List<String> deliveredTwice() {
    return byRequest.entrySet().stream()
        .filter(e -> e.getValue().size() > 1)
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  /** Request ids with two deliveries that differ (another decision id, outcome, parents, ...). */
  List<String> decidedTwiceDifferently() {
    return byRequest.entrySet().stream()
        .filter(
            e -> {
              Set<List<Object>> distinct = new LinkedHashSet<>();
              e.getValue().forEach(d -> distinct.add(d.content()));
              return distinct.size() > 1;
            })
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  private static <V extends SpecificRecord> void readAll(
      String bootstrap,
      String topic,
      Deserializer<V> values,
      Duration timeout,
      Consumer<ConsumerRecord<String, V>> sink) {
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                5000,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "chaos-audit-" + topic),
            new StringDeserializer(),
            values)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic, timeout)) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // read_committed: the end is the last stable offset, i.e. everything committed by now
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read " + topic + " to its end within " + timeout.toSeconds() + " s");
        }
        for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(500))) {
          sink.accept(r);
        }
      }
    }
  }
}
