package io.swarmsched.ingest.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.runtime.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
}
