package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;

import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;

/**
 * What the host-authentication tests (issue 18) share: binding a host to a key in the global table
 * swarm.host-keys.v1, piping exact record bytes signed (or not) by a key, and reading the dead
 * letters they cause.
 */
abstract class HostAuthenticationTestBase extends TopologyTestBase {
  /** A key bound to no host: what it signs for a bound host is forged. */
  final HostKeyPair forger = HostKeyPair.generate();

  void bind(String host, HostKeyPair key) {
    TestInputTopic<String, HostKey> keys =
        f.driver.createInputTopic(
            Topics.HOST_KEYS.name(),
            new StringSerializer(),
            SpecificAvroSerde.of(HostKey.class, f.config.serdeConfig()).serializer());
    keys.pipeInput(
        host,
        HostKey.newBuilder()
            .setHostId(host)
            .setPublicKey(ByteBuffer.wrap(key.publicKey()))
            .setBoundAt(Instant.ofEpochMilli(T0))
            .setBoundBy("first-heartbeat")
            .build(),
        T0);
  }

  <T extends SpecificRecord> byte[] bytes(String topic, Class<T> type, T value) {
    return SpecificAvroSerde.of(type, f.config.serdeConfig()).serializer().serialize(topic, value);
  }

  /** Pipes the exact bytes, signed by {@code key} when not null; returns the bytes. */
  byte[] pipe(String topic, String key, byte[] value, HostKeyPair signer, long at) {
    RecordHeaders headers = new RecordHeaders();
    if (signer != null) {
      RecordSignatures.sign(signer, value, headers);
    }
    f.driver
        .createInputTopic(topic, new StringSerializer(), new ByteArraySerializer())
        .pipeInput(new TestRecord<>(key, value, headers, Instant.ofEpochMilli(at)));
    return value;
  }

  byte[] sendRequest(ScheduleRequest r, HostKeyPair signer) {
    byte[] value = bytes(Topics.SCHEDULE_REQUESTS.name(), ScheduleRequest.class, r);
    return pipe(
        Topics.SCHEDULE_REQUESTS.name(),
        r.getTaskId(),
        value,
        signer,
        r.getTimestamp().toEpochMilli());
  }

  List<TestRecord<byte[], byte[]>> deadLetters() {
    return f.deadLetters.readRecordsToList();
  }

  static String header(TestRecord<byte[], byte[]> r, String name) {
    return DeadLetterHeaders.lastValue(r.headers(), name).orElse(null);
  }
}
