package io.swarmsched.runtime.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The first step of a service that must never stop on bad input: read the source topic with {@code
 * Serdes.ByteArray()} values, then decode and validate here, so that every failure becomes a {@link
 * ProcessingResult#failed failed result} carrying the original bytes, headers and source
 * coordinates, ready for {@link DeadLetterRouting}.
 *
 * <pre>{@code
 * KStream<String, ProcessingResult<HostHeartbeat>> decoded = builder
 *     .stream(Topics.HOST_HEARTBEATS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(SOURCE))
 *     .processValues(AvroDecoding.decode(heartbeatDeserializer, "heartbeat-validate", validator), Named.as(DECODE));
 * KStream<String, HostHeartbeat> heartbeats = DeadLetterRouting.split(decoded, "heartbeat-dlq");
 * }</pre>
 *
 * <p>Both a deserialization failure and a failed validation are reported under the given {@code
 * stage}; the reason says which ("deserialization failed: Unknown magic byte ..." or "validation
 * failed: ..."). A record without a value (tombstone) fails with reason "record has no value".
 */
public final class AvroDecoding {
  private AvroDecoding() {}

  public static final String DESERIALIZATION_FAILED = "deserialization failed: ";
  public static final String VALIDATION_FAILED = "validation failed: ";
  public static final String NO_VALUE = "record has no value";

  public static <V> FixedKeyProcessorSupplier<String, byte[], ProcessingResult<V>> decode(
      Deserializer<V> deserializer, String stage, Validator<? super V> validator) {
    return () -> new DecodeProcessor<>(deserializer, stage, validator);
  }

  public static <V> FixedKeyProcessorSupplier<String, byte[], ProcessingResult<V>> decode(
      Deserializer<V> deserializer, String stage) {
    return decode(deserializer, stage, Validator.acceptAll());
  }

  /**
   * Decodes and validates one record outside Streams (a consumer loop, a test): the same rules and
   * reasons as the processor.
   */
  /**
   * Where a record was read: topic, partition and offset, or null/-1 when there is no source
   * record.
   */
  public record Source(String topic, int partition, long offset) {
    public static Source of(Optional<RecordMetadata> metadata) {
      return metadata
          .map(m -> new Source(m.topic(), m.partition(), m.offset()))
          .orElse(new Source(null, -1, -1L));
    }
  }

  public static <V> ProcessingResult<V> decodeOne(
      Deserializer<V> deserializer,
      String stage,
      Validator<? super V> validator,
      String key,
      byte[] rawValue,
      org.apache.kafka.common.header.Headers headers,
      String topic,
      int partition,
      long offset) {
    return decodeOne(
        deserializer,
        stage,
        validator,
        key,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        rawValue,
        headers,
        topic,
        partition,
        offset);
  }

  /**
   * As above, with the key's bytes as read ({@link SourceBytes}), which dead letters keep
   * unchanged.
   */
  public static <V> ProcessingResult<V> decodeOne(
      Deserializer<V> deserializer,
      String stage,
      Validator<? super V> validator,
      String key,
      byte[] rawKey,
      byte[] rawValue,
      org.apache.kafka.common.header.Headers headers,
      String topic,
      int partition,
      long offset) {
    DeadLetter.Builder failure;
    if (rawValue == null) {
      failure = DeadLetter.builder(stage, NO_VALUE);
    } else {
      V value;
      try {
        value = deserializer.deserialize(topic, headers, rawValue);
      } catch (RuntimeException e) {
        failure = DeadLetter.builder(stage, DESERIALIZATION_FAILED + describe(e)).exception(e);
        return ProcessingResult.failed(
            failure
                .rawKey(rawKey)
                .rawValue(rawValue)
                .headers(headers)
                .source(topic, partition, offset)
                .build());
      }
      if (value == null) {
        failure = DeadLetter.builder(stage, DESERIALIZATION_FAILED + "deserializer returned null");
      } else {
        try {
          Optional<String> problem = validator.problem(key, value);
          if (problem.isEmpty()) {
            return ProcessingResult.ok(value);
          }
          failure = DeadLetter.builder(stage, VALIDATION_FAILED + problem.get());
        } catch (RuntimeException e) {
          failure = DeadLetter.builder(stage, VALIDATION_FAILED + describe(e)).exception(e);
        }
      }
    }
    return ProcessingResult.failed(
        failure
            .rawKey(rawKey)
            .rawValue(rawValue)
            .headers(headers)
            .source(topic, partition, offset)
            .build());
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  private static final class DecodeProcessor<V>
      implements FixedKeyProcessor<String, byte[], ProcessingResult<V>> {
    private final Deserializer<V> deserializer;
    private final String stage;
    private final Validator<? super V> validator;
    private FixedKeyProcessorContext<String, ProcessingResult<V>> context;

    DecodeProcessor(Deserializer<V> deserializer, String stage, Validator<? super V> validator) {
      this.deserializer = deserializer;
      this.stage = stage;
      this.validator = validator;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, ProcessingResult<V>> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
      Source src = Source.of(context.recordMetadata());
      ProcessingResult<V> result =
          decodeOne(
              deserializer,
              stage,
              validator,
              record.key(),
              SourceBytes.key(context, record.key()),
              record.value(),
              record.headers(),
              src.topic(),
              src.partition(),
              src.offset());
      context.forward(record.withValue(result));
    }
  }
}
