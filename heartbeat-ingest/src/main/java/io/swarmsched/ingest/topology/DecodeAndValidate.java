package io.swarmsched.ingest.topology;

import io.swarmsched.ingest.auth.HeartbeatAuthenticator;
import io.swarmsched.ingest.validation.HeartbeatValidator;
import io.swarmsched.ingest.validation.ValidationLimits;
import io.swarmsched.ingest.validation.Violation;
import io.swarmsched.runtime.deadletter.AvroDecoding;
import io.swarmsched.runtime.deadletter.ProcessingResult;
import io.swarmsched.runtime.deadletter.SourceBytes;
import io.swarmsched.runtime.deadletter.Validator;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.HostState;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a raw heartbeat, runs the validation rules on it and checks that it may speak for its
 * host ({@link HeartbeatAuthenticator}, against the binding in {@link
 * IngestTopology#HOST_KEY_STORE} and the last accepted state). A record that cannot be decoded
 * fails under stage {@link IngestTopology#STAGE_DESERIALIZE}, one that breaks a rule under {@link
 * IngestTopology#STAGE_VALIDATE}, a forged or replayed one under {@link
 * IngestTopology#STAGE_AUTHENTICATE}; all keep their original bytes and headers.
 *
 * <p>"Now" for the future-timestamp rule is the task's wall clock, so TopologyTestDriver can move
 * it.
 */
final class DecodeAndValidate
    implements FixedKeyProcessor<String, byte[], ProcessingResult<AcceptedHeartbeat>> {
  private static final Logger log = LoggerFactory.getLogger(DecodeAndValidate.class);
  private final Deserializer<HostHeartbeat> deserializer;
  private final HeartbeatValidator validator;
  private final HeartbeatAuthenticator authenticator;
  private final HostTables tables;
  private FixedKeyProcessorContext<String, ProcessingResult<AcceptedHeartbeat>> context;
  private KeyValueStore<String, HostKey> keys;
  private KeyValueStore<String, StoredHost> hosts;

  DecodeAndValidate(
      Deserializer<HostHeartbeat> deserializer,
      ValidationLimits limits,
      HeartbeatAuthenticator authenticator,
      HostTables tables) {
    this.deserializer = deserializer;
    this.tables = tables;
    this.validator = new HeartbeatValidator(limits);
    this.authenticator = authenticator;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, ProcessingResult<AcceptedHeartbeat>> context) {
    this.context = context;
    this.keys = context.getStateStore(IngestTopology.HOST_KEY_STORE);
    this.hosts = context.getStateStore(IngestTopology.HOST_STORE);
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
      context.forward(record.withValue(ProcessingResult.failed(decoded.deadLetter())));
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
      return;
    }
    // the validator checked that the key is the host id, so the stores' key is the host id
    HostHeartbeat heartbeat = decoded.value();
    String hostId = heartbeat.getHostId();
    HeartbeatAuthenticator.Outcome auth =
        authenticator.check(
            heartbeat, record.value(), record.headers(), keys.get(hostId), known(hostId));
    if (auth.refused()) {
      context.forward(
          record.withValue(
              ProcessingResult.failed(
                  IngestTopology.STAGE_AUTHENTICATE,
                  auth.refusal(),
                  rawKey,
                  record.value(),
                  record.headers(),
                  src.topic(),
                  src.partition(),
                  src.offset())));
      return;
    }
    if (auth.newBinding() != null) {
      // bound at once, so the next heartbeat is checked against it even before the binding has
      // gone round swarm.host-keys.v1
      keys.put(hostId, auth.newBinding());
      log.info(
          "host {} bound to {} by its first heartbeat",
          hostId,
          HeartbeatAuthenticator.describe(auth.newBinding()));
    }
    context.forward(
        record.withValue(ProcessingResult.ok(new AcceptedHeartbeat(heartbeat, auth.newBinding()))));
  }

  /**
   * The host's last accepted state from the task's decoded table ({@link HostStateProcessor} keeps
   * it equal to the store); from the store itself only if the table is not there, which Streams'
   * order of initialisation (every processor of a task before its first record) rules out.
   */
  private HostState known(String hostId) {
    HostTable table = tables.get(context.taskId());
    if (table != null) {
      return table.state(hostId);
    }
    StoredHost stored = hosts.get(hostId);
    return stored == null ? null : stored.state();
  }
}
