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
