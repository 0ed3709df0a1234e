package io.swarmsched.ingest.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.runtime.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * What heartbeat-ingest makes of the dead-letter topic: the counter by stage and reason category
 * after a known sequence of dead letters, and the entries the dashboard lists, newest first.
 */
class DeadLetterTailTest {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final DeadLetterTail tail = new DeadLetterTail(null, registry);

  static ConsumerRecord<byte[], byte[]> letter(long offset, String stage, String reason) {
    RecordHeaders h = new RecordHeaders();
    h.add(DeadLetterHeaders.STAGE, stage.getBytes(StandardCharsets.UTF_8));
    h.add(DeadLetterHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
    h.add(
        DeadLetterHeaders.SOURCE_TOPIC,
        "swarm.host-heartbeats.v1".getBytes(StandardCharsets.UTF_8));
    h.add(DeadLetterHeaders.SOURCE_PARTITION, "3".getBytes(StandardCharsets.UTF_8));
    h.add(
        DeadLetterHeaders.SOURCE_OFFSET,
        Long.toString(100 + offset).getBytes(StandardCharsets.UTF_8));
    h.add(
        DeadLetterHeaders.TIMESTAMP,
        Long.toString(1_700_000_000_000L + offset).getBytes(StandardCharsets.UTF_8));
    return new ConsumerRecord<>(
        "swarm.dead-letters.v1",
        0,
        offset,
        0L,
        org.apache.kafka.common.record.TimestampType.CREATE_TIME,
        0,
        0,
        ("host-" + offset).getBytes(StandardCharsets.UTF_8),
        new byte[] {1, 2, 3},
        h,
        Optional.empty());
  }

  @Test
  void deadLettersAreCountedByStageAndReasonCategory() {
    tail.accept(
        letter(0, "heartbeat-deserialize", "deserialization failed: Unknown magic byte 0x74"));
    tail.accept(
        letter(1, "heartbeat-deserialize", "deserialization failed: Unknown magic byte 0x7b"));
    tail.accept(
        letter(2, "heartbeat-validate", "validation failed: load.cpu_usage: 7.0 is above 1"));
    tail.accept(letter(3, "peer-event-validate", "peer_id: required"));

    String scrape = registry.scrape();
    assertThat(scrape)
        .contains(
            "swarmsched_dead_letters_total{reason=\"deserialization failed\",stage=\"heartbeat-deserialize\"} 2.0")
        .contains(
            "swarmsched_dead_letters_total{reason=\"validation failed\",stage=\"heartbeat-validate\"} 1.0")
        .contains(
            "swarmsched_dead_letters_total{reason=\"peer_id\",stage=\"peer-event-validate\"} 1.0");
  }

  @Test
  void theListShowsTheNewestFirstWithTheirHeaders() throws Exception {
    tail.accept(letter(0, "heartbeat-deserialize", "deserialization failed: x"));
    tail.accept(letter(1, "heartbeat-validate", "validation failed: y"));
    var body =
        io.swarmsched.runtime.http.HttpApi.JSON.readTree(
            tail.list(
                    new io.swarmsched.runtime.http.Request(
                        "GET",
                        "/api/v1/dead-letters",
                        "limit=1",
                        java.util.Map.of(),
                        java.util.Map.of(),
                        new byte[0]))
                .body());
    assertThat(body.path("count").asInt()).isEqualTo(1);
    var first = body.path("dead_letters").get(0);
    assertThat(first.path("stage").asText()).isEqualTo("heartbeat-validate");
    assertThat(first.path("reason").asText()).isEqualTo("validation failed: y");
    assertThat(first.path("source_topic").asText()).isEqualTo("swarm.host-heartbeats.v1");
    assertThat(first.path("source_partition").asInt()).isEqualTo(3);
    assertThat(first.path("source_offset").asLong()).isEqualTo(101);
    assertThat(first.path("timestamp").asLong()).isEqualTo(1_700_000_000_001L);
    assertThat(first.path("key").asText()).isEqualTo("host-1");
  }

  @Test
  void aBadLimitIsAClearError() {
    assertThatThrownBy(() -> DeadLetterTail.limit(Optional.of("0")))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("limit: must be an integer in [1, 200]");
    assertThat(DeadLetterTail.limit(Optional.empty())).isEqualTo(20);
  }

  /**
   * Stopping wakes the consumer up and lets the tail's own thread close it, never interrupting that
   * thread: an interrupt landing while a KafkaConsumer closes made every stop of heartbeat-ingest
   * log "Failed to close fetcher with a timeout" and an uncaught InterruptException from
   * "dead-letter-tail". This consumer holds {@link DeadLetterTail#close} inside {@code wakeup()}
   * until its close has begun, so an interrupt sent after the wakeup would land inside the close.
   */
  @Test
  void closeStopsTheThreadWithoutInterruptingItAndTheThreadClosesItsConsumer() throws Exception {
    CountDownLatch closing = new CountDownLatch(1);
    AtomicBoolean interruptedWhileClosing = new AtomicBoolean();
    AtomicReference<Thread> closedBy = new AtomicReference<>();
    MockConsumer<byte[], byte[]> consumer =
        new MockConsumer<>("earliest") {
          @Override
          public void wakeup() {
            super.wakeup();
            try {
              closing.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }

          @Override
          public void close(Duration timeout) {
            closedBy.set(Thread.currentThread());
            closing.countDown();
            try {
              Thread.sleep(300); // what a real close spends talking to the broker
            } catch (InterruptedException e) {
              interruptedWhileClosing.set(true);
            }
            super.close(timeout);
          }
        };
    String topic = "swarm.dead-letters.v1";
    TopicPartition p0 = new TopicPartition(topic, 0);
    consumer.updatePartitions(
        topic, List.of(new PartitionInfo(topic, 0, Node.noNode(), new Node[0], new Node[0])));
    consumer.updateBeginningOffsets(Map.of(p0, 0L));
    consumer.updateEndOffsets(Map.of(p0, 0L));
    DeadLetterTail following = new DeadLetterTail(consumer, registry).follow();
    AtomicReference<Throwable> uncaught = new AtomicReference<>();
    following.thread().setUncaughtExceptionHandler((t, e) -> uncaught.set(e));
    io.swarmsched.testing.Await.until(
        Duration.ofSeconds(10),
        "the tail to follow the topic",
        () -> consumer.assignment().contains(p0));

    following.close();

    assertThat(following.isStopped()).as("the tail's thread ended").isTrue();
    assertThat(consumer.closed()).isTrue();
    assertThat(closedBy.get().getName()).isEqualTo("dead-letter-tail");
    assertThat(interruptedWhileClosing).as("interrupted while its consumer closed").isFalse();
    assertThat(uncaught.get()).isNull();
  }
}
