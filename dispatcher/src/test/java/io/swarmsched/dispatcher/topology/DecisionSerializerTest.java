package io.swarmsched.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.state.DecisionBytes;
import io.swarmsched.dispatcher.state.StoredDecision;
import io.swarmsched.dispatcher.state.StoredDecisionSerde;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SpecificAvroSerde;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/**
 * A new decision is Avro-encoded once: the decisions topic's serializer writes the body the
 * decision store's serializer has just encoded behind the registry serializer's header, and the
 * bytes are the registry serializer's own.
 */
class DecisionSerializerTest {
  static final String TOPIC = "swarm.schedule-decisions.v1";

  private final SpecificAvroSerde<ScheduleDecision> avro =
      SpecificAvroSerde.of(
          ScheduleDecision.class,
          Map.of(
              "schema.registry.url",
              MockSchemaRegistry.MOCK_URL_PREFIX + "decision-serializer-" + UUID.randomUUID()));

  /** The registry serializer, counting its calls. */
  static final class Counting implements Serializer<ScheduleDecision> {
    final Serializer<ScheduleDecision> inner;
    final AtomicInteger calls = new AtomicInteger();

    Counting(Serializer<ScheduleDecision> inner) {
      this.inner = inner;
    }

    @Override
    public byte[] serialize(String topic, ScheduleDecision d) {
      calls.incrementAndGet();
      return inner.serialize(topic, d);
    }
  }

  private final DecisionBytes bytes = new DecisionBytes();
  private final StoredDecisionSerde store = new StoredDecisionSerde(bytes);
  private final Counting registry = new Counting(avro.serializer());
  private final DecisionSerializer serializer = new DecisionSerializer(registry, bytes);

  static ScheduleDecision decision(int i, DecisionOutcome outcome) {
    return ScheduleDecision.newBuilder()
        .setDecisionId("d-" + i)
        .setRequestId("req-" + i + "-\u00fc\u4e2d")
        .setTaskId("task-" + (i % 3))
        .setPeerId("peer-" + i)
        .setTargetHostId("host-" + i)
        .setRequesterHostId("host-" + i)
        .setOutcome(outcome)
        .setUrl(i % 2 == 0 ? "http://origin/blob" : "")
        .setReason("reason " + i)
        .setAttempt(i)
        .setPolicyId("load-aware")
        .setDecidedAt(Instant.ofEpochMilli(1_700_000_000_000L + 1_000L * i))
        .build();
  }

  private byte[] storeThenSend(ScheduleDecision d) {
    store.encode(new StoredDecision(d.getDecidedAt().toEpochMilli(), d));
    return serializer.serialize(TOPIC, d);
  }

  @Test
  void aStoredDecisionGoesOutAsTheRegistrySerializerWritesItWithoutASecondEncode() {
    ScheduleDecision first = decision(0, DecisionOutcome.PARENTS);
    byte[] firstBytes = storeThenSend(first);
    assertThat(registry.calls)
        .as("the first is checked against the registry serializer")
        .hasValue(1);
    assertThat(serializer.reusing()).isTrue();
    assertThat(firstBytes).isEqualTo(avro.serializer().serialize(TOPIC, first));

    DecisionOutcome[] outcomes = DecisionOutcome.values();
    for (int i = 1; i <= 2 * outcomes.length; i++) {
      ScheduleDecision d = decision(i, outcomes[i % outcomes.length]);
      byte[] sent = storeThenSend(d);
      assertThat(sent).as("decision %d", i).isEqualTo(avro.serializer().serialize(TOPIC, d));
    }
    assertThat(registry.calls).as("no later decision encoded again").hasValue(1);
  }

  @Test
  void aDecisionTheStoreHasNotJustWrittenOnThisThreadIsEncodedForTheTopic() throws Exception {
    storeThenSend(decision(0, DecisionOutcome.PARENTS)); // decides the header
    ScheduleDecision stored = decision(1, DecisionOutcome.PARENTS);
    store.encode(new StoredDecision(1L, stored));

    // an equal decision, but not the object stored (a repeated request's decision read back)
    ScheduleDecision equal = decision(1, DecisionOutcome.PARENTS);
    assertThat(serializer.serialize(TOPIC, equal))
        .isEqualTo(avro.serializer().serialize(TOPIC, equal));
    assertThat(registry.calls).hasValue(2);

    // another topic
    assertThat(serializer.serialize("other-topic", stored))
        .isEqualTo(avro.serializer().serialize("other-topic", stored));
    assertThat(registry.calls).hasValue(3);

    // another thread, which stored nothing
    AtomicReference<byte[]> elsewhere = new AtomicReference<>();
    Thread t = new Thread(() -> elsewhere.set(serializer.serialize(TOPIC, stored)));
    t.start();
    t.join();
    assertThat(elsewhere.get()).isEqualTo(avro.serializer().serialize(TOPIC, stored));
    assertThat(registry.calls).hasValue(4);

    // the stored one itself, on this thread: reused
    assertThat(serializer.serialize(TOPIC, stored))
        .isEqualTo(avro.serializer().serialize(TOPIC, stored));
    assertThat(registry.calls).hasValue(4);
    assertThat(serializer.serialize(TOPIC, null)).isNull();
  }

  @Test
  void aRegistrySerializerWhoseBodyDiffersIsUsedForEveryDecision() {
    // a serializer writing something else than the store's body (another schema version, say)
    Counting other =
        new Counting(
            (topic, d) -> {
              byte[] b = avro.serializer().serialize(topic, d);
              return Arrays.copyOf(b, b.length + 1);
            });
    DecisionSerializer refusing = new DecisionSerializer(other, bytes);
    for (int i = 0; i < 3; i++) {
      ScheduleDecision d = decision(i, DecisionOutcome.BACK_TO_SOURCE);
      store.encode(new StoredDecision(1L, d));
      assertThat(refusing.serialize(TOPIC, d)).isEqualTo(other.inner.serialize(TOPIC, d));
    }
    assertThat(refusing.reusing()).isFalse();
    assertThat(other.calls).as("one full encode per decision").hasValue(3);
  }
}
