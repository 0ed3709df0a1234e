package io.swarmsched.runtime.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.topics.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class DeadLetterPublisherTest {

  @Test
  void publishesOriginalBytesWithReasonAndWithoutSourceCoordinatesForHttpBodies() {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    byte[] body = "{\"max_tasks\":-1}".getBytes(StandardCharsets.UTF_8);
    try (DeadLetterPublisher publisher =
        new DeadLetterPublisher(producer, Topics.DEAD_LETTERS.name())) {
      publisher.publish(
          DeadLetter.builder("http-heartbeat", "max_tasks: -1 is negative")
              .sourceTopic("http:/api/v1/heartbeat")
              .rawKey("w1".getBytes(StandardCharsets.UTF_8))
              .rawValue(body)
              .deadLetteredAtMs(1234)
              .build());
    }

    ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
    assertThat(sent.topic()).isEqualTo(Topics.DEAD_LETTERS.name());
    assertThat(sent.value()).isEqualTo(body);
    assertThat(DeadLetterHeaders.lastValue(sent.headers(), DeadLetterHeaders.REASON))
        .contains("max_tasks: -1 is negative");
    assertThat(DeadLetterHeaders.lastValue(sent.headers(), DeadLetterHeaders.STAGE))
        .contains("http-heartbeat");
    assertThat(DeadLetterHeaders.lastValue(sent.headers(), DeadLetterHeaders.SOURCE_TOPIC))
        .contains("http:/api/v1/heartbeat");
    assertThat(DeadLetterHeaders.lastValue(sent.headers(), DeadLetterHeaders.TIMESTAMP))
        .contains("1234");
    assertThat(sent.headers().lastHeader(DeadLetterHeaders.SOURCE_PARTITION)).isNull();
    assertThat(sent.headers().lastHeader(DeadLetterHeaders.SOURCE_OFFSET)).isNull();
  }

  @Test
  void failedResultRefusesToGiveAValueAndOkResultRefusesADeadLetter() {
    ProcessingResult<String> ok = ProcessingResult.ok("v");
    ProcessingResult<String> failed =
        ProcessingResult.failed("s", "r", null, null, null, "t", 0, 1);

    assertThat(ok.map(String::length).value()).isEqualTo(1);
    assertThat(failed.map(String::length).deadLetter().reason()).isEqualTo("r");
    org.assertj.core.api.Assertions.assertThatThrownBy(failed::value).hasMessageContaining("r");
    org.assertj.core.api.Assertions.assertThatThrownBy(ok::deadLetter)
        .isInstanceOf(IllegalStateException.class);
  }
}
