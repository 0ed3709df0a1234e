package io.swarmsched.runtime.auth;

import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes with {@code inner}, then lets {@code stamp} write headers about the exact bytes (a
 * signature, a MAC): the producer passes each record's headers to {@link #serialize(String,
 * Headers, Object)}, the one moment the bytes and the headers meet.
 */
public class StampingSerializer<T> implements Serializer<T> {
  private final Serializer<T> inner;
  private final BiConsumer<byte[], Headers> stamp;

  public StampingSerializer(Serializer<T> inner, BiConsumer<byte[], Headers> stamp) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.stamp = Objects.requireNonNull(stamp, "stamp");
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    inner.configure(configs, isKey);
  }

  @Override
  public byte[] serialize(String topic, T data) {
    // no headers to stamp: a caller that bypasses the producer gets bare bytes
    return inner.serialize(topic, data);
  }

  @Override
  public byte[] serialize(String topic, Headers headers, T data) {
    byte[] bytes = inner.serialize(topic, headers, data);
    if (bytes != null && headers != null) {
      stamp.accept(bytes, headers);
    }
    return bytes;
  }

  @Override
  public void close() {
    inner.close();
  }
}
