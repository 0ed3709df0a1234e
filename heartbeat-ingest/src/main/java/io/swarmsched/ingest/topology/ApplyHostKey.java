package io.swarmsched.ingest.topology;

import io.swarmsched.runtime.auth.HostAuthenticity;
import io.swarmsched.runtime.auth.HostKeys;
import io.swarmsched.runtime.deadletter.AvroDecoding;
import io.swarmsched.runtime.deadletter.ProcessingResult;
import io.swarmsched.runtime.deadletter.SourceBytes;
import io.swarmsched.runtime.deadletter.Validator;
import io.swarmsched.schemas.HostKey;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps {@link IngestTopology#HOST_KEY_STORE} equal to swarm.host-keys.v1: a binding replaces the
 * host's (an operator's rebinding is how a key is rotated), a tombstone unbinds it. A record that
 * does not decode or binds nothing usable is dead-lettered and leaves the binding as it was.
 */
final class ApplyHostKey implements FixedKeyProcessor<String, byte[], ProcessingResult<HostKey>> {
  private final Deserializer<HostKey> deserializer;
  private FixedKeyProcessorContext<String, ProcessingResult<HostKey>> context;
  private KeyValueStore<String, HostKey> keys;

  ApplyHostKey(Deserializer<HostKey> deserializer) {
    this.deserializer = deserializer;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, ProcessingResult<HostKey>> context) {
    this.context = context;
    this.keys = context.getStateStore(IngestTopology.HOST_KEY_STORE);
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    if (record.key() == null) {
      return; // no host to bind; AvroDecoding below would say the same for the value
    }
    if (record.value() == null) {
      keys.delete(record.key());
      return;
    }
    AvroDecoding.Source src = AvroDecoding.Source.of(context.recordMetadata());
    ProcessingResult<HostKey> decoded =
        AvroDecoding.decodeOne(
            deserializer,
            IngestTopology.STAGE_HOST_KEY_DESERIALIZE,
            (Validator<HostKey>) (key, b) -> Optional.ofNullable(problem(key, b)),
            record.key(),
            SourceBytes.key(context, record.key()),
            record.value(),
            record.headers(),
            src.topic(),
            src.partition(),
            src.offset());
    if (decoded.isOk()) {
      keys.put(record.key(), decoded.value());
    }
    context.forward(record.withValue(decoded));
  }

  /** Null when the binding is usable for host {@code key}, else why not. */
  static String problem(String key, HostKey b) {
    if (!key.equals(b.getHostId())) {
      return "record key '" + key + "' is not the host_id '" + b.getHostId() + "'";
    }
    byte[] pub = HostAuthenticity.publicKey(b);
    if (pub == null && (b.getPrincipal() == null || b.getPrincipal().isBlank())) {
      return "public_key or principal: one is required";
    }
    if (pub != null && b.getPrincipal() != null) {
      return "public_key and principal: only one may be set";
    }
    if (pub != null) {
      try {
        HostKeys.decode(pub);
      } catch (IllegalArgumentException e) {
        return "public_key: " + e.getMessage();
      }
    }
    return null;
  }
}
