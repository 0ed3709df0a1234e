package io.swarmsched.testing;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A deserializer that answers null for a record it cannot decode instead of failing the poll.
 *
 * <p>Every test class of a module shares one embedded cluster and its topics, and each writes under
 * its own schema-registry scope, whose schema ids mean other schemas to another class's
 * deserializer. A consumer that reads a shared topic from the start meets such records and must
 * skip them (a failing deserializer would keep the consumer on that record for good). {@link
 * TopicReader} does the same by seeking past the record.
 */
public final class SkipUndecodable {
  private SkipUndecodable() {}

  /** {@code strict}, but null for a value it cannot decode: callers skip null values. */
  public static <V> Deserializer<V> of(Deserializer<V> strict) {
    return (topic, data) -> {
      try {
        return strict.deserialize(topic, data);
      } catch (SerializationException e) {
        return null;
      }
    };
  }
}
