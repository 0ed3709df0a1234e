package io.swarmsched.runtime.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service pattern: bytes in, decode + validate, failures split to the dead-letter topic,
 * successes continue.
 */
class DeadLetterRoutingTest {
  static final String INPUT = "test.input";
  static final String OUTPUT = "test.output";
  static final String STAGE = "reading-validate";

  /** A stand-in for the Avro deserializer: magic byte 0, then a 4-byte big-endian int. */
  static final class ReadingDeserializer implements Deserializer<Integer> {
    @Override
    public Integer deserialize(String topic, byte[] data) {
      if (data.length == 0 || data[0] != 0) {
        throw new SerializationException("Unknown magic byte!");
      }
      if (data.length != 5) {
        throw new SerializationException("Truncated record: " + data.length + " bytes");
      }
      return ByteBuffer.wrap(data, 1, 4).getInt();
    }
  }

  static byte[] reading(int value) {
    return ByteBuffer.allocate(5).put((byte) 0).putInt(value).array();
  }

  static Topology topology() {
    StreamsBuilder builder = new StreamsBuilder();
    Validator<Integer> nonNegative =
        (key, value) ->
            value < 0 ? Optional.of("reading: " + value + " is negative") : Optional.empty();
    KStream<String, ProcessingResult<Integer>> decoded =
        builder.stream(
                INPUT,
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("readings-source"))
            .processValues(
                AvroDecoding.decode(new ReadingDeserializer(), STAGE, nonNegative),
                Named.as("readings-decode"));
    DeadLetterRouting.split(decoded, "readings-dlq")
        .mapValues(v -> "reading=" + v, Named.as("readings-format"))
        .to(OUTPUT, Produced.with(Serdes.String(), Serdes.String()).withName("readings-sink"));
    return builder.build();
  }

  TopologyTestDriver driver;
  TestInputTopic<String, byte[]> input;
  TestOutputTopic<String, String> output;
  TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void start() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dead-letter-routing-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    driver = new TopologyTestDriver(topology(), props);
    input = driver.createInputTopic(INPUT, new StringSerializer(), new ByteArraySerializer());
    output = driver.createOutputTopic(OUTPUT, new StringDeserializer(), new StringDeserializer());
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTERS.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  static Headers headers(String traceId) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace-id", traceId.getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  static String header(Headers headers, String name) {
    return DeadLetterHeaders.lastValue(headers, name).orElse(null);
  }

  @Test
  void goodRecordPassesAndNothingIsDeadLettered() {
    input.pipeInput(new TestRecord<>("host-1", reading(42), headers("t1")));

    assertThat(output.readKeyValuesToList())
        .extracting(kv -> kv.key + ":" + kv.value)
        .containsExactly("host-1:reading=42");
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void undecodableBytesGoToDeadLettersWithOriginalBytesAndHeadersAndTheStreamContinues() {
    byte[] garbage = {7, 7, 7};
    input.pipeInput(new TestRecord<>("host-1", garbage, headers("t-bad")));
    input.pipeInput(new TestRecord<>("host-2", reading(5), headers("t-good")));

    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("host-1");
    assertThat(dead.value()).isEqualTo(garbage);
    assertThat(header(dead.headers(), "trace-id")).isEqualTo("t-bad");
    assertThat(header(dead.headers(), DeadLetterHeaders.STAGE)).isEqualTo(STAGE);
    assertThat(header(dead.headers(), DeadLetterHeaders.REASON))
        .isEqualTo(AvroDecoding.DESERIALIZATION_FAILED + "Unknown magic byte!");
    assertThat(header(dead.headers(), DeadLetterHeaders.EXCEPTION))
        .isEqualTo(SerializationException.class.getName());
    assertThat(header(dead.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(INPUT);
    assertThat(header(dead.headers(), DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(header(dead.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(header(dead.headers(), DeadLetterHeaders.TIMESTAMP)).matches("\\d+");
    assertThat(deadLetters.isEmpty()).isTrue();

    assertThat(output.readKeyValuesToList())
        .extracting(kv -> kv.key + ":" + kv.value)
        .containsExactly("host-2:reading=5");
  }

  @Test
  void failedValidationGoesToDeadLettersWithReasonAndOffset() {
    input.pipeInput(new TestRecord<>("host-1", reading(1), headers("a")));
    input.pipeInput(new TestRecord<>("host-1", reading(-3), headers("b")));
    input.pipeInput(new TestRecord<>("host-1", reading(2), headers("c")));

    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(dead.value()).isEqualTo(reading(-3));
    assertThat(header(dead.headers(), "trace-id")).isEqualTo("b");
    assertThat(header(dead.headers(), DeadLetterHeaders.REASON))
        .isEqualTo(AvroDecoding.VALIDATION_FAILED + "reading: -3 is negative");
    assertThat(header(dead.headers(), DeadLetterHeaders.EXCEPTION)).isNull();
    assertThat(header(dead.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("1");
    assertThat(output.readValuesToList()).containsExactly("reading=1", "reading=2");
  }

  @Test
  void truncatedBodyAndTombstoneAreDeadLetteredWithDistinctReasons() {
    input.pipeInput("host-1", new byte[] {0, 1});
    input.pipeInput("host-2", (byte[]) null);

    List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead)
        .extracting(r -> header(r.headers(), DeadLetterHeaders.REASON))
        .containsExactly(
            AvroDecoding.DESERIALIZATION_FAILED + "Truncated record: 2 bytes",
            AvroDecoding.NO_VALUE);
    assertThat(output.isEmpty()).isTrue();
  }

  @Test
  void validatorThatThrowsIsAFailedValidationNotACrash() {
    ProcessingResult<Integer> result =
        AvroDecoding.decodeOne(
            new ReadingDeserializer(),
            STAGE,
            (key, value) -> {
              throw new IllegalArgumentException("boom");
            },
            "k",
            reading(1),
            new RecordHeaders(),
            "t",
            2,
            9);

    assertThat(result.isFailed()).isTrue();
    assertThat(result.deadLetter().reason()).isEqualTo(AvroDecoding.VALIDATION_FAILED + "boom");
    assertThat(result.deadLetter().sourcePartition()).isEqualTo(2);
    assertThat(result.deadLetter().exceptionClass())
        .isEqualTo(IllegalArgumentException.class.getName());
  }

  // --- the Streams deserialization handler, for sources read with a typed serde ---

  @Test
  void deserializationHandlerDeadLettersUndeserializableRecordsAndResumes() {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.Integer()).withName("typed-source"))
        .mapValues(v -> "n=" + v, Named.as("typed-format"))
        .to(OUTPUT, Produced.with(Serdes.String(), Serdes.String()).withName("typed-sink"));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "deserialization-handler-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterDeserializationHandler.class);
    try (TopologyTestDriver typed = new TopologyTestDriver(builder.build(), props)) {
      TestInputTopic<String, byte[]> in =
          typed.createInputTopic(INPUT, new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, String> out =
          typed.createOutputTopic(OUTPUT, new StringDeserializer(), new StringDeserializer());
      TestOutputTopic<byte[], byte[]> dlq =
          typed.createOutputTopic(
              Topics.DEAD_LETTERS.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());

      byte[] threeBytes = {1, 2, 3};
      in.pipeInput(new TestRecord<>("k1", threeBytes, headers("bad")));
      in.pipeInput("k2", ByteBuffer.allocate(4).putInt(9).array());

      TestRecord<byte[], byte[]> dead = dlq.readRecord();
      assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("k1");
      assertThat(dead.value()).isEqualTo(threeBytes);
      assertThat(header(dead.headers(), "trace-id")).isEqualTo("bad");
      assertThat(header(dead.headers(), DeadLetterHeaders.STAGE))
          .isEqualTo(DeadLetterDeserializationHandler.STAGE);
      assertThat(header(dead.headers(), DeadLetterHeaders.REASON))
          .startsWith("deserialization failed at typed-source: ");
      assertThat(header(dead.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(INPUT);
      assertThat(header(dead.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
      assertThat(header(dead.headers(), DeadLetterHeaders.EXCEPTION)).isNotBlank();
      assertThat(out.readValuesToList()).containsExactly("n=9");
    }
  }

  @Test
  void processingHandlerDeadLettersTheSourceRecordWhenAProcessorThrows() {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()).withName("buggy-source"))
        .mapValues(
            v -> {
              if (v.equals("explode")) {
                throw new IllegalStateException("bug in the processor");
              }
              return v.toUpperCase();
            },
            Named.as("buggy-map"))
        .to(OUTPUT, Produced.with(Serdes.String(), Serdes.String()).withName("buggy-sink"));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "processing-handler-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
    try (TopologyTestDriver buggy = new TopologyTestDriver(builder.build(), props)) {
      TestInputTopic<String, String> in =
          buggy.createInputTopic(INPUT, new StringSerializer(), new StringSerializer());
      TestOutputTopic<String, String> out =
          buggy.createOutputTopic(OUTPUT, new StringDeserializer(), new StringDeserializer());
      TestOutputTopic<byte[], byte[]> dlq =
          buggy.createOutputTopic(
              Topics.DEAD_LETTERS.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());

      in.pipeInput("k1", "explode");
      in.pipeInput("k2", "fine");

      TestRecord<byte[], byte[]> dead = dlq.readRecord();
      assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("explode");
      assertThat(header(dead.headers(), DeadLetterHeaders.STAGE)).isEqualTo("process:buggy-map");
      assertThat(header(dead.headers(), DeadLetterHeaders.REASON))
          .isEqualTo("processing failed: bug in the processor");
      assertThat(out.readValuesToList()).containsExactly("FINE");
    }
  }
}
