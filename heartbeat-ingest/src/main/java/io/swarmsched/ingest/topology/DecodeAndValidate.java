package io.swarmsched.ingest.topology;

import io.swarmsched.ingest.validation.HeartbeatValidator;
import io.swarmsched.ingest.validation.ValidationLimits;
import io.swarmsched.ingest.validation.Violation;
import io.swarmsched.runtime.deadletter.AvroDecoding;
import io.swarmsched.runtime.deadletter.ProcessingResult;
import io.swarmsched.runtime.deadletter.SourceBytes;
import io.swarmsched.runtime.deadletter.Validator;
import io.swarmsched.schemas.HostHeartbeat;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Decodes a raw heartbeat and runs the validation rules on it. A record that cannot be decoded
 * fails under stage {@link IngestTopology#STAGE_DESERIALIZE}, one that breaks a rule under {@link
 * IngestTopology#STAGE_VALIDATE}; both keep their original bytes and headers.
 *
 * <p>"Now" for the future-timestamp rule is the task's wall clock, so TopologyTestDriver can move
 * it.
 */
final class DecodeAndValidate
    implements FixedKeyProcessor<String, byte[], ProcessingResult<HostHeartbeat>> {
  private final Deserializer<HostHeartbeat> deserializer;
  private final HeartbeatValidator validator;
  private FixedKeyProcessorContext<String, ProcessingResult<HostHeartbeat>> context;

  DecodeAndValidate(Deserializer<HostHeartbeat> deserializer, ValidationLimits limits) {
    this.deserializer = deserializer;
    this.validator = new HeartbeatValidator(limits);
  }

  @Override
  public void init(FixedKeyProcessorContext<String, ProcessingResult<HostHeartbeat>> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    AvroDecoding.Source src = AvroDecoding.Source.of(context.recordMetadata());
    byte[] rawKey = SourceBytes.key(context, record.key());
    ProcessingResult<HostHeartbeat> decoded =
        AvroDecoding.decodeOne(
            deserializer,
            IngestTopology.STAGE_DESERIALIZE,
            Validator.acceptAll(),
            record.key(),
            rawKey,
            record.value(),
            record.headers(),
            src.topic(),
            src.partition(),
            src.offset());
    if (decoded.isFailed()) {
      context.forward(record.withValue(decoded));
      return;
    }
    int size = record.value().length + (rawKey == null ? 0 : rawKey.length);
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    Optional<Violation> violation = validator.validate(record.key(), decoded.value(), size, now);
    if (violation.isPresent()) {
      context.forward(
          record.withValue(
              ProcessingResult.failed(
                  IngestTopology.STAGE_VALIDATE,
                  violation.get().message(),
                  rawKey,
                  record.value(),
                  record.headers(),
                  src.topic(),
                  src.partition(),
                  src.offset())));
    } else {
      context.forward(record.withValue(decoded));
    }
  }
}
