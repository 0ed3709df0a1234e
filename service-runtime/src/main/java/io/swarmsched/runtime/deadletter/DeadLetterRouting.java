package io.swarmsched.runtime.deadletter;

import io.swarmsched.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a stream of {@link ProcessingResult}s: failures go, as their original key and value bytes
 * with the original headers plus the {@link DeadLetterHeaders}, to the dead-letter topic; successes
 * continue as plain values.
 *
 * <p>Every node gets a name derived from {@code name}: {@code <name>-} (the split), {@code
 * <name>-dead-letters} and {@code <name>-ok} (its branches), {@code <name>-to-record}, {@code
 * <name>-sink} and {@code <name>-values}; use a distinct {@code name} per call.
 */
public final class DeadLetterRouting {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterRouting.class);

  private DeadLetterRouting() {}

  public static <V> KStream<String, V> split(
      KStream<String, ProcessingResult<V>> results, String name) {
    return split(results, name, Topics.DEAD_LETTERS.name());
  }

  public static <V> KStream<String, V> split(
      KStream<String, ProcessingResult<V>> results, String name, String deadLetterTopic) {
    Map<String, KStream<String, ProcessingResult<V>>> branches =
        results
            .split(Named.as(name + "-"))
            .branch(
                (key, result) -> result.isFailed(),
                Branched.<String, ProcessingResult<V>>withConsumer(
                    failures -> toDeadLetterTopic(failures, name, deadLetterTopic), "dead-letters"))
            .defaultBranch(Branched.as("ok"));
    return branches
        .get(name + "-ok")
        .mapValues(ProcessingResult::value, Named.as(name + "-values"));
  }

  /**
   * The same dead letter from inside a stateful processor, which can only judge a record with its
   * stores and so cannot hand a {@link ProcessingResult} to {@link #split}: the record in flight
   * goes to {@code sink} (a byte-array sink on the dead-letter topic) as its source key and value
   * bytes ({@link SourceBytes}; {@code fallbackValue} only when Streams has none) with its headers
   * plus the {@link DeadLetterHeaders}.
   */
  public static void forward(
      ProcessorContext<Object, Object> context,
      Record<String, ?> record,
      String stage,
      String reason,
      byte[] fallbackValue,
      String sink) {
    DeadLetter.Builder b =
        DeadLetter.builder(stage, reason)
            .rawKey(SourceBytes.key(context, record.key()))
            .rawValue(SourceBytes.value(context, fallbackValue))
            .headers(record.headers())
            .deadLetteredAtMs(context.currentSystemTimeMs());
    context.recordMetadata().ifPresent(m -> b.source(m.topic(), m.partition(), m.offset()));
    DeadLetter dl = b.build();
    log.warn("Dead-lettering a record of {} ({}): {}", dl.sourceTopic(), stage, reason);
    context.forward(
        new Record<Object, Object>(dl.rawKey(), dl.rawValue(), record.timestamp(), dl.headers()),
        sink);
  }

  private static <V> void toDeadLetterTopic(
      KStream<String, ProcessingResult<V>> failures, String name, String deadLetterTopic) {
    failures
        .process(DeadLetterRecordProcessor<V>::new, Named.as(name + "-to-record"))
        .to(
            deadLetterTopic,
            Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-sink"));
  }

  /** Turns a failed result into the dead-letter record: original bytes, all headers. */
  private static final class DeadLetterRecordProcessor<V>
      implements Processor<String, ProcessingResult<V>, byte[], byte[]> {
    private ProcessorContext<byte[], byte[]> context;

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, ProcessingResult<V>> record) {
      DeadLetter deadLetter = record.value().deadLetter();
      byte[] key = deadLetter.rawKey();
      if (key == null && record.key() != null) {
        key = record.key().getBytes(StandardCharsets.UTF_8);
      }
      context.forward(
          new Record<>(key, deadLetter.rawValue(), record.timestamp(), deadLetter.headers()));
    }
  }
}
