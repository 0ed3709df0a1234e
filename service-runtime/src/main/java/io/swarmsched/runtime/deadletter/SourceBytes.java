package io.swarmsched.runtime.deadletter;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;

/**
 * The key and value bytes of the source record being processed, exactly as read from the topic.
 *
 * <p>A dead letter must carry the original bytes (issue 13, finding 7): a key that is not valid
 * UTF-8 read through {@code Serdes.String()} comes back as replacement characters, and a value
 * re-serialized after decoding may differ from what the producer wrote. Kafka Streams keeps the raw
 * source record on the record context for its own dead-letter queue (KIP-1034) but exposes it only
 * to error handlers, so this reads it from the internal context; when it is unavailable (another
 * context, a punctuation) the fallback the caller gives is used.
 */
public final class SourceBytes {
  private SourceBytes() {}

  /**
   * A context that wraps another (e.g. to observe what a processor forwards): the source bytes are
   * read from the wrapped one.
   */
  public interface Wrapping {
    Object wrapped();
  }

  public static byte[] key(ProcessorContext<?, ?> context, String fallback) {
    ProcessorRecordContext rc = recordContext(context);
    byte[] raw = rc == null ? null : rc.sourceRawKey();
    return raw != null ? raw : utf8(fallback);
  }

  public static byte[] key(FixedKeyProcessorContext<?, ?> context, String fallback) {
    ProcessorRecordContext rc = recordContext(context);
    byte[] raw = rc == null ? null : rc.sourceRawKey();
    return raw != null ? raw : utf8(fallback);
  }

  public static byte[] value(ProcessorContext<?, ?> context, byte[] fallback) {
    ProcessorRecordContext rc = recordContext(context);
    byte[] raw = rc == null ? null : rc.sourceRawValue();
    return raw != null ? raw : fallback;
  }

  private static ProcessorRecordContext recordContext(Object context) {
    while (context instanceof Wrapping w) {
      context = w.wrapped();
    }
    if (context instanceof InternalProcessorContext<?, ?> internal) {
      try {
        return internal.recordContext();
      } catch (RuntimeException e) {
        return null; // no record in flight
      }
    }
    return null;
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }
}
