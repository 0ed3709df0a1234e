package io.swarmsched.runtime.deadletter;

import io.swarmsched.topics.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams' {@code deserialization.exception.handler}: a record whose key or value cannot be
 * deserialized at a source is produced to the dead-letter topic (original key and value bytes,
 * original headers plus the {@link DeadLetterHeaders}, stage {@value #STAGE}) and processing
 * RESUMEs with the next record. Uses Kafka 4.x's own dead-letter mechanism (KIP-1034): the record
 * is handed back in {@link Response#resume(List)} and Streams produces it within the task, so under
 * exactly-once it commits with the input offset.
 *
 * <p>The topic is {@code errors.dead.letter.queue.topic.name} when set, else {@code
 * Topics.DEAD_LETTERS}.
 */
public class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

  public static final String STAGE = "deserialize";

  private String deadLetterTopic = Topics.DEAD_LETTERS.name();

  @Override
  public void configure(Map<String, ?> configs) {
    deadLetterTopic = DeadLetter.topicFrom(configs);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    log.warn(
        "Dead-lettering undeserializable record from {}-{}@{} (node {}): {}",
        record.topic(),
        record.partition(),
        record.offset(),
        context.processorNodeId(),
        exception.toString());
    DeadLetter deadLetter =
        DeadLetter.builder(
                STAGE,
                "deserialization failed at "
                    + context.processorNodeId()
                    + ": "
                    + AvroDecoding.describe(exception))
            .exception(exception)
            .source(record.topic(), record.partition(), record.offset())
            .rawKey(record.key())
            .rawValue(record.value())
            .headers(record.headers())
            .build();
    return Response.resume(List.of(deadLetter.toProducerRecord(deadLetterTopic)));
  }

  public String deadLetterTopic() {
    return deadLetterTopic;
  }
}
