package io.swarmsched.dispatcher.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.Await;
import io.swarmsched.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Two dispatcher instances and a steady stream of requests while one instance dies; a consumer
 * deduplicating by request id must see exactly one terminal decision for every request.
 */
class DispatcherFailoverClusterTest extends DispatcherClusterTestBase {
  private static final Set<DecisionOutcome> TERMINAL =
      Set.of(
          DecisionOutcome.PARENTS,
          DecisionOutcome.BACK_TO_SOURCE,
          DecisionOutcome.FAILED,
          DecisionOutcome.REJECTED,
          DecisionOutcome.ASSIGNED);

  @Test
  void everyRequestGetsExactlyOneTerminalDecisionWhenAnInstanceDies() throws Exception {
    provision(null);
    int hosts = 20;
    publishHosts(hosts);
    DispatcherApp a = startInstance("a");
    DispatcherApp b = startInstance("b");
    a.awaitRunning(AWAIT);
    b.awaitRunning(AWAIT);
    Await.until(AWAIT, "both instances own task partitions", () -> ownsTasks(a) && ownsTasks(b));

    int total = 300;
    Map<String, List<ScheduleDecision>> terminal = new ConcurrentHashMap<>();
    AtomicBoolean reading = new AtomicBoolean(true);
    Thread reader =
        new Thread(
            () -> {
              try (KafkaConsumer<String, ScheduleDecision> consumer = decisionConsumer()) {
                while (reading.get()) {
                  for (ConsumerRecord<String, ScheduleDecision> r :
                      consumer.poll(Duration.ofMillis(200))) {
                    ScheduleDecision d = r.value();
                    if (d != null
                        && d.getRequestId().startsWith(run + "-req-")
                        && TERMINAL.contains(d.getOutcome())) {
                      terminal.computeIfAbsent(d.getRequestId(), k -> new ArrayList<>()).add(d);
                    }
                  }
                }
              }
            },
            "decision-reader");
    reader.start();

    try (var producer =
        new KafkaProducer<>(
            kafka.producerProps(),
            new StringSerializer(),
            SpecificAvroSerde.of(ScheduleRequest.class, serdeConfig()).serializer())) {
      for (int i = 0; i < total; i++) {
        String task = run + "-t" + (i % 30);
        ScheduleRequest req =
            ScheduleRequest.newBuilder()
                .setRequestId(run + "-req-" + i)
                .setTaskId(task)
                .setPeerId("p" + i)
                .setHostId(run + "-h" + (i % hosts))
                .setUrl("https://origin/" + task)
                .setTimestamp(Instant.now())
                .build();
        producer.send(
            new ProducerRecord<>(
                Topics.SCHEDULE_REQUESTS.name(),
                null,
                req.getTimestamp().toEpochMilli(),
                task,
                req));
        if (i == total / 3) {
          producer.flush();
          a.crash();
        }
        TimeUnit.MILLISECONDS.sleep(10); // a steady stream, not a burst
      }
      producer.flush();
    }

    try {
      Await.until(
          AWAIT,
          "a terminal decision for each of " + total + " requests",
          () -> terminal.size() == total);
    } finally {
      reading.set(false);
      reader.join(10_000);
    }
    for (Map.Entry<String, List<ScheduleDecision>> e : terminal.entrySet()) {
      assertThat(e.getValue().stream().map(ScheduleDecision::getDecisionId).distinct())
          .as("decisions of %s", e.getKey())
          .hasSize(1);
    }
    assertThat(terminal.values().stream().map(l -> l.get(0).getOutcome()))
        .containsOnly(DecisionOutcome.PARENTS, DecisionOutcome.BACK_TO_SOURCE);
  }

  /**
   * True when the instance runs at least one active task of the dispatch sub-topology (not just
   * global state).
   */
  private static boolean ownsTasks(DispatcherApp app) {
    return app.streams().streams().metadataForLocalThreads().stream()
        .anyMatch(t -> !t.activeTasks().isEmpty());
  }
}
