package io.swarmsched.runtime.deadletter;

import io.swarmsched.topics.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams' {@code processing.exception.handler}: the safety net for an exception a processor did
 * not turn into a {@link ProcessingResult}. The source record that led to it (raw bytes as read,
 * original headers) goes to the dead-letter topic with stage {@code process:<node>} and processing
 * RESUMEs. Expected failures should still travel as values; this catches bugs.
 *
 * <p>It also covers the processors of global stores ({@code
 * processing.exception.handler.global.enabled}, set by {@code StreamsProps}); there Streams 4.x
 * cannot send dead letters yet: it logs the record's context at WARN, after this handler's ERROR,
 * and the global thread resumes instead of stopping the client.
 */
public class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

  private String deadLetterTopic = Topics.DEAD_LETTERS.name();

  @Override
  public void configure(Map<String, ?> configs) {
    deadLetterTopic = DeadLetter.topicFrom(configs);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    log.error(
        "Dead-lettering record from {}-{}@{} after processor {} threw",
        context.topic(),
        context.partition(),
        context.offset(),
        context.processorNodeId(),
        exception);
    DeadLetter deadLetter =
        DeadLetter.builder(
                "process:" + context.processorNodeId(),
                "processing failed: " + AvroDecoding.describe(exception))
            .exception(exception)
            .source(context.topic(), context.partition(), context.offset())
            .rawKey(context.sourceRawKey())
            .rawValue(context.sourceRawValue())
            .headers(context.headers())
            .build();
    return Response.resume(List.of(deadLetter.toProducerRecord(deadLetterTopic)));
  }
}
