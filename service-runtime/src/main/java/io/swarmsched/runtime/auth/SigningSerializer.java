package io.swarmsched.runtime.auth;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes with {@code inner}, then signs the exact bytes into the record's headers ({@link
 * RecordSignatures}). The one place an agent signs what it produces: the producer passes each
 * record's headers to {@link #serialize(String, Headers, Object)}.
 */
public final class SigningSerializer<T> implements Serializer<T> {
  private final Serializer<T> inner;
  private final HostKeyPair key;

  public SigningSerializer(Serializer<T> inner, HostKeyPair key) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.key = Objects.requireNonNull(key, "key");
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    inner.configure(configs, isKey);
  }

  @Override
  public byte[] serialize(String topic, T data) {
    // no headers to sign into: a caller that bypasses the producer gets unsigned bytes
    return inner.serialize(topic, data);
  }

  @Override
  public byte[] serialize(String topic, Headers headers, T data) {
    byte[] bytes = inner.serialize(topic, headers, data);
    if (bytes != null && headers != null) {
      RecordSignatures.sign(key, bytes, headers);
    }
    return bytes;
  }

  @Override
  public void close() {
    inner.close();
  }
}
