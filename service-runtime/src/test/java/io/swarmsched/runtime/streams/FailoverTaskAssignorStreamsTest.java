package io.swarmsched.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.runtime.config.LocalSettings;
import io.swarmsched.testing.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services' assignor on a real broker and real Streams: three instances with a standby each;
 * one stops without leaving the group (as a killed one would, found gone after its session); each
 * of its tasks goes to the survivor that held its standby, and a survivor's own task moves only as
 * far as the load is out of balance.
 */
class FailoverTaskAssignorStreamsTest {
  final EmbeddedKafka kafka = EmbeddedKafka.get();

  @TempDir Path stateDir;

  @Test
  void aStoppedInstancesTasksGoToTheSurvivorsHoldingTheirStandbys() throws Exception {
    String app = EmbeddedKafka.uniqueName("assignor");
    String input = app + "-in";
    kafka.createTopic(input, 6, Map.of());
    // the table's content does not matter, only that its tasks have state: no idempotence (one run
    // spent two minutes here retrying OUT_OF_ORDER_SEQUENCE_NUMBER after a timed-out first batch)
    Map<String, Object> producerProps = new HashMap<>(kafka.producerProps());
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 600; i++) producer.send(new ProducerRecord<>(input, "k" + i, "v" + i));
    }

    List<StreamsService> services = new ArrayList<>();
    try {
      for (String name : List.of("a", "b", "c")) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table(
            input, Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("latest"));
        services.add(
            new StreamsService(
                    builder.build(),
                    StreamsProps.base(
                        app,
                        LocalSettings.of(
                            kafka,
                            stateDir.resolve(name),
                            name,
                            "127.0.0.1:1",
                            "swarm.streams.num.stream.threads",
                            "1")))
                .start());
      }
      StreamsService a = services.get(0);
      StreamsService b = services.get(1);
      StreamsService c = services.get(2);
      awaitAssignment(List.of(a, b, c), 6, 6);
      Map<String, Set<TaskId>> activeBefore = tasks(services, ThreadMetadata::activeTasks);
      Map<String, Set<TaskId>> standbyBefore = tasks(services, ThreadMetadata::standbyTasks);
      assertThat(activeBefore.values()).allMatch(s -> s.size() == 2);

      c.close(Duration.ofSeconds(30), false);
      services.remove(c);
      awaitAssignment(List.of(a, b), 6, 0);
      Map<String, Set<TaskId>> activeAfter = tasks(services, ThreadMetadata::activeTasks);

      // each of c's tasks goes to the survivor holding its standby while that survivor is below
      // its share (3), then to the other (FailoverTaskAssignor.handOverOrphans)
      for (TaskId orphan : activeBefore.get("c")) {
        String standbyHolder = standbyBefore.get("a").contains(orphan) ? "a" : "b";
        assertThat(standbyBefore.get(standbyHolder)).contains(orphan);
        Set<TaskId> holderOthers = new TreeSet<>(activeAfter.get(standbyHolder));
        holderOthers.remove(orphan);
        if (!activeAfter.get(standbyHolder).contains(orphan)) {
          assertThat(holderOthers)
              .as("%s, whose standby was on %s, went elsewhere", orphan, standbyHolder)
              .hasSizeGreaterThanOrEqualTo(3);
        }
      }
      // a survivor gives up its own tasks only to even out the load (3 each)
      int orphansOnA =
          (int) activeBefore.get("c").stream().filter(activeAfter.get("a")::contains).count();
      int excess = Math.max(0, 2 + orphansOnA - 3) + Math.max(0, 2 + (2 - orphansOnA) - 3);
      int ownMoved = 0;
      for (String s : List.of("a", "b")) {
        Set<TaskId> kept = new TreeSet<>(activeBefore.get(s));
        kept.retainAll(activeAfter.get(s));
        ownMoved += activeBefore.get(s).size() - kept.size();
      }
      assertThat(ownMoved).isEqualTo(excess);
      assertThat(activeAfter.get("a")).hasSize(3);
      assertThat(activeAfter.get("b")).hasSize(3);
    } finally {
      for (StreamsService s : services) s.close(Duration.ofSeconds(30));
    }
  }

  /** Until the instances are RUNNING with {@code actives} and at least {@code standbys} tasks. */
  private static void awaitAssignment(List<StreamsService> services, int actives, int standbys)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      boolean running =
          services.stream().allMatch(s -> s.streams().state() == KafkaStreams.State.RUNNING);
      if (running
          && count(services, ThreadMetadata::activeTasks) == actives
          && count(services, ThreadMetadata::standbyTasks) >= standbys) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "no stable assignment within 90 s: "
            + tasks(services, ThreadMetadata::activeTasks)
            + " standbys "
            + tasks(services, ThreadMetadata::standbyTasks));
  }

  private static int count(
      List<StreamsService> services, Function<ThreadMetadata, Set<TaskMetadata>> which) {
    return tasks(services, which).values().stream().mapToInt(Set::size).sum();
  }

  private static Map<String, Set<TaskId>> tasks(
      List<StreamsService> services, Function<ThreadMetadata, Set<TaskMetadata>> which) {
    Map<String, Set<TaskId>> byInstance = new TreeMap<>();
    for (StreamsService s : services) {
      Set<TaskId> ids = new TreeSet<>();
      for (ThreadMetadata t : s.streams().metadataForLocalThreads()) {
        which.apply(t).forEach(m -> ids.add(m.taskId()));
      }
      byInstance.put(String.valueOf((char) ('a' + services.indexOf(s))), ids);
    }
    return byInstance;
  }
}
