package io.swarmsched.dispatcher.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's memory of accepted signed records outlives a restart: a replay after it is
 * refused.
 */
class DispatcherReplayClusterTest extends DispatcherClusterTestBase {
  /** {@code hostId} bound to {@code key} in swarm.host-keys.v1, as ingest or an operator does. */
  private void bind(String hostId, HostKeyPair key) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            kafka.producerProps(),
            new StringSerializer(),
            SpecificAvroSerde.of(HostKey.class, serdeConfig()).serializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.HOST_KEYS.name(),
                  hostId,
                  HostKey.newBuilder()
                      .setHostId(hostId)
                      .setPublicKey(ByteBuffer.wrap(key.publicKey()))
                      .setBoundAt(Instant.now())
                      .setBoundBy("operator")
                      .build()))
          .get();
    }
  }

  /** Writes {@code value} to the requests topic signed by {@code key}, as the host's agent does. */
  private void sendSigned(String task, byte[] value, HostKeyPair key) throws Exception {
    RecordHeaders headers = new RecordHeaders();
    RecordSignatures.sign(key, value, headers);
    try (var producer =
        new KafkaProducer<>(
            kafka.producerProps(), new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(Topics.SCHEDULE_REQUESTS.name(), null, task, value, headers))
          .get();
    }
  }

  private byte[] request(String requestId, String task, String hostId) {
    return SpecificAvroSerde.of(ScheduleRequest.class, serdeConfig())
        .serializer()
        .serialize(
            Topics.SCHEDULE_REQUESTS.name(),
            ScheduleRequest.newBuilder()
                .setRequestId(requestId)
                .setTaskId(task)
                .setPeerId(run + "-p0")
                .setHostId(hostId)
                .setUrl("https://origin/" + task)
                .setTimestamp(Instant.now())
                .build());
  }

  /** Request ids of the decisions for {@code task} polled now. */
  private static List<String> decided(KafkaConsumer<String, ScheduleDecision> c, String task) {
    List<String> ids = new ArrayList<>();
    for (ConsumerRecord<String, ScheduleDecision> r : c.poll(Duration.ofMillis(500))) {
      if (r.value() != null && task.equals(r.value().getTaskId()))
        ids.add(r.value().getRequestId());
    }
    return ids;
  }

  /**
   * The dispatcher remembers the signed records it accepted across a restart (docs/design.md,
   * "Security"): a bound host's signed request replayed after the dispatcher restarted on a fresh
   * state directory (so the memory can only come from the store's changelog) is dead-lettered as a
   * replay and decided once.
   */
  @Test
  void aSignedRequestReplayedAfterARestartIsRefusedAsAReplay() throws Exception {
    provision(null);
    publishHosts(1);
    String host = run + "-h0";
    HostKeyPair key = HostKeyPair.generate();
    bind(host, key);
    String task = run + "-replayed";
    byte[] request = request(run + "-r1", task, host);

    try (KafkaConsumer<String, ScheduleDecision> decisions = decisionConsumer();
        KafkaConsumer<byte[], byte[]> deadLetters =
            new KafkaConsumer<>(
                kafka.consumerProps(EmbeddedKafka.uniqueName("dead-letters-reader")),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
      deadLetters.subscribe(List.of(Topics.DEAD_LETTERS.name()));
      DispatcherApp first = startInstance("replay-1");
      first.awaitRunning(AWAIT);
      sendSigned(task, request, key);
      List<String> before = new ArrayList<>();
      Await.until(
          AWAIT,
          "a decision for the signed request",
          () -> before.addAll(decided(decisions, task)) && !before.isEmpty());
      assertThat(before).containsExactly(run + "-r1");
      first.close();
      apps.remove(first);

      startInstance("replay-2").awaitRunning(AWAIT); // a fresh state directory
      sendSigned(task, request, key); // the same bytes: the same (deterministic) signature
      List<String> reasons = new ArrayList<>();
      Await.until(
          AWAIT,
          "the replay dead-lettered",
          () -> {
            for (ConsumerRecord<byte[], byte[]> r : deadLetters.poll(Duration.ofMillis(500))) {
              if (r.key() != null && task.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                reasons.add(
                    DeadLetterHeaders.lastValue(r.headers(), DeadLetterHeaders.REASON).orElse(""));
              }
            }
            return !reasons.isEmpty();
          });
      assertThat(reasons).singleElement().asString().startsWith("replayed: the same");
      // a fresh signed request of the same task (same partition, so after the replay) is decided,
      // and the replay was not decided again
      sendSigned(task, request(run + "-r2", task, host), key);
      List<String> after = new ArrayList<>();
      Await.until(
          AWAIT,
          "a decision for the next request",
          () -> after.addAll(decided(decisions, task)) && after.contains(run + "-r2"));
      assertThat(after).doesNotContain(run + "-r1");
    }
  }
}
