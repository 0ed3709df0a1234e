package io.swarmsched.runtime.deadletter;

import io.swarmsched.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters from code that is not a Streams topology (HTTP gateways, agents, consumer loops): a
 * plain idempotent producer of {@link DeadLetter}s to the dead-letter topic.
 *
 * <pre>{@code
 * try (DeadLetterPublisher dlq = DeadLetterPublisher.create(settings.string(CommonKeys.BOOTSTRAP_SERVERS))) {
 *   dlq.publish(DeadLetter.builder("http-heartbeat", "max_tasks: -1 is negative")
 *       .sourceTopic("http:/api/v1/heartbeat").rawValue(body).build());
 * }
 * }</pre>
 */
public final class DeadLetterPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final boolean ownsProducer;

  public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic) {
    this(producer, topic, false);
  }

  private DeadLetterPublisher(
      Producer<byte[], byte[]> producer, String topic, boolean ownsProducer) {
    this.producer = producer;
    this.topic = topic;
    this.ownsProducer = ownsProducer;
  }

  public static DeadLetterPublisher create(String bootstrapServers) {
    return create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /** A publisher with its own producer; {@code producerConfig} must name the bootstrap servers. */
  public static DeadLetterPublisher create(Map<String, Object> producerConfig) {
    Map<String, Object> config = new HashMap<>(producerConfig);
    config.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    config.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "swarm-dead-letters");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new DeadLetterPublisher(new KafkaProducer<>(config), Topics.DEAD_LETTERS.name(), true);
  }

  public Future<RecordMetadata> publish(DeadLetter deadLetter) {
    log.warn("Dead letter at stage {}: {}", deadLetter.stage(), deadLetter.reason());
    return producer.send(
        deadLetter.toProducerRecord(topic),
        (metadata, error) -> {
          if (error != null) {
            log.error(
                "Could not publish dead letter (stage {}, reason {})",
                deadLetter.stage(),
                deadLetter.reason(),
                error);
          }
        });
  }

  public void flush() {
    producer.flush();
  }

  public String topic() {
    return topic;
  }

  @Override
  public void close() {
    if (ownsProducer) {
      producer.close(Duration.ofSeconds(10));
    }
  }
}
