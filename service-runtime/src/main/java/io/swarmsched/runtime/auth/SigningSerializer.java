package io.swarmsched.runtime.auth;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes with {@code inner}, then signs the exact bytes into the record's headers ({@link
 * RecordSignatures}). The one place an agent signs what it produces: the producer passes each
 * record's headers to {@link #serialize(String, org.apache.kafka.common.header.Headers, Object)}.
 */
public final class SigningSerializer<T> extends StampingSerializer<T> {
  public SigningSerializer(Serializer<T> inner, HostKeyPair key) {
    super(inner, signer(Objects.requireNonNull(key, "key")));
  }

  private static java.util.function.BiConsumer<byte[], org.apache.kafka.common.header.Headers>
      signer(HostKeyPair key) {
    return (bytes, headers) -> RecordSignatures.sign(key, bytes, headers);
  }
}
