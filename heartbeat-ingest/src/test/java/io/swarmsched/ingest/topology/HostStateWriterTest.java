package io.swarmsched.ingest.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.ingest.Heartbeats;
import io.swarmsched.ingest.liveness.HostStates;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-written {@code HostState} encoder writes exactly the registry serializer's bytes, and
 * steps aside whenever it might not.
 */
class HostStateWriterTest {
  private static final String SCOPE = "host-state-writer-test";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final SpecificAvroSerde<HostState> avro =
      SpecificAvroSerde.of(
          HostState.class,
          Map.of("schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + SCOPE));
  private final HostStateEncoding encoding = new HostStateEncoding(avro.serializer());

  @AfterEach
  @AfterProperty
  void drop() {
    MockSchemaRegistry.dropScope(SCOPE);
  }

  private byte[] viaAvro(HostState s) {
    return avro.serializer().serialize(Topics.HOSTS.name(), s);
  }

  @Test
  void theSchemaIsTheOneTheEncoderWasWrittenFor() {
    assertThat(HostStateWriter.fingerprint(HostState.getClassSchema()))
        .as(
            "HostState's schema (schemas/src/main/avro/HostState.avsc or its common types) changed:"
                + " check HostStateWriter.write against it field by field, extend the probes and"
                + " this test's generators to any new field, then set HostStateWriter.WRITTEN_FOR")
        .isEqualTo(HostStateWriter.WRITTEN_FOR);
    assertThat(HostStateWriter.writtenForTheClassSchema()).isTrue();
  }

  @Test
  void aHeartbeatsStateIsWrittenByHandAsAvroWritesIt() {
    HostState s = HostStates.apply(Heartbeats.valid("h1", 3, T0).build(), null, T0);
    byte[] bytes = encoding.serialize("app-ingest-hosts-changelog", s);
    assertThat(encoding.handWritten()).isTrue();
    assertThat(bytes).isEqualTo(viaAvro(s));
    assertThat(avro.deserializer().deserialize(Topics.HOSTS.name(), bytes)).isEqualTo(s);
  }

  @Test
  void everyProbeIsWrittenAsAvroWritesIt() {
    List<HostState> probes = HostStateEncoding.probes();
    assertThat(probes).extracting(HostState::getType).containsAll(Arrays.asList(HostType.values()));
    assertThat(probes)
        .extracting(HostState::getLiveness)
        .containsAll(Arrays.asList(Liveness.values()));
    for (HostState p : probes) {
      assertThat(encoding.serialize("t", p)).isEqualTo(viaAvro(p));
    }
    assertThat(encoding.handWritten()).isTrue();
  }

  @Property(tries = 1500)
  void anyStateIsWrittenByHandAsAvroWritesIt(@ForAll("states") HostState s) {
    byte[] expected = viaAvro(s);
    byte[] hand = encoding.serialize(Topics.HOSTS.name(), s);
    assertThat(encoding.handWritten()).isTrue();
    assertThat(hand).isEqualTo(expected);
    // and straight from the writer, its buffer reused from state to state
    assertThat(new HostStateWriter().write(Arrays.copyOf(expected, 5), s)).isEqualTo(expected);
  }

  @Test
  void oneWriterReusedForLargeThenSmallStatesCarriesNothingOver() {
    HostStateWriter writer = new HostStateWriter();
    HostState small = HostStates.apply(Heartbeats.valid("h1", 3, T0).build(), null, T0);
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      many.add("tag-\u00e9-" + i);
    }
    HostState large =
        HostState.newBuilder(small).setTags(many).setAgentVersion("x".repeat(70_000)).build();
    byte[] header = Arrays.copyOf(viaAvro(small), 5);
    assertThat(writer.write(header, small)).isEqualTo(viaAvro(small));
    assertThat(writer.write(header, large)).isEqualTo(viaAvro(large));
    assertThat(writer.write(header, small)).isEqualTo(viaAvro(small));
  }

  @Test
  void aStateAvroRefusesIsRefusedWithAvrosError() {
    HostState ok = HostStates.apply(Heartbeats.valid("h1", 3, T0).build(), null, T0);
    encoding.serialize("t", ok);
    assertThat(encoding.handWritten()).isTrue();
    HostState noHostname = HostState.newBuilder(ok).build();
    noHostname.setHostname(null);
    assertThatThrownBy(() -> viaAvro(noHostname)).isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> encoding.serialize("t", noHostname))
        .isInstanceOf(SerializationException.class);
    HostState tooLate = HostState.newBuilder(ok).setLastSeen(Instant.MAX).build();
    assertThatThrownBy(() -> viaAvro(tooLate)).isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> encoding.serialize("t", tooLate))
        .isInstanceOf(SerializationException.class);
    HostState nullTag = HostState.newBuilder(ok).setTags(Arrays.asList("a", null)).build();
    assertThatThrownBy(() -> encoding.serialize("t", nullTag))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void aSerializerThatWritesOtherBytesIsFollowedNotTheHandEncoder() {
    // as the registry serializer would with use.latest.version and another latest schema
    Serializer<HostState> other =
        (topic, s) -> {
          byte[] b = viaAvro(s);
          byte[] out = Arrays.copyOf(b, b.length + 1);
          out[b.length] = 2; // a field added at the end
          return out;
        };
    HostStateEncoding followed = new HostStateEncoding(other);
    HostState s = HostStates.apply(Heartbeats.valid("h1", 3, T0).build(), null, T0);
    assertThat(followed.serialize("t", s)).isEqualTo(other.serialize("t", s));
    assertThat(followed.handWritten()).isFalse();
  }

  @Test
  void anotherSchemaIdIsTheHeaderWritten() {
    Serializer<HostState> renumbered =
        (topic, s) -> {
          byte[] b = viaAvro(s);
          b[1] = 0x7f;
          b[4] = 0x33;
          return b;
        };
    HostStateEncoding e = new HostStateEncoding(renumbered);
    HostState s = HostStates.apply(Heartbeats.valid("h1", 3, T0).build(), null, T0);
    assertThat(e.serialize("t", s)).isEqualTo(renumbered.serialize("t", s));
    assertThat(e.handWritten()).isTrue();
  }

  // ---- generators ----

  @Provide
  Arbitrary<HostState> states() {
    Arbitrary<String> text = texts();
    Arbitrary<List<String>> list = lists();
    Arbitrary<HostState> identity =
        Combinators.combine(
                text, text, text, text, Arbitraries.of(HostType.class), text, text, list)
            .as(
                (id, name, ip, address, type, idc, location, tags) ->
                    HostState.newBuilder()
                        .setHostId(id)
                        .setHostname(name)
                        .setIp(ip)
                        .setPieceServerAddress(address)
                        .setType(type)
                        .setIdc(idc)
                        .setLocation(location)
                        .setTags(tags)
                        .setDisableShared(false)
                        .setCapacity(Heartbeats.capacity().build())
                        .setLoad(Heartbeats.load().build())
                        .setLastSequence(0)
                        .setLastSeen(T0)
                        .setFirstSeen(T0)
                        .setLiveness(Liveness.ONLINE)
                        .setLivenessChangedAt(T0)
                        .build());
    return Combinators.combine(
            identity,
            Arbitraries.of(true, false),
            capacities(),
            loads(),
            Arbitraries.longs(),
            Combinators.combine(instants(), instants(), instants()).as(List::of),
            Arbitraries.of(Liveness.class),
            text)
        .as(
            (s, disableShared, capacity, load, sequence, times, liveness, version) ->
                HostState.newBuilder(s)
                    .setDisableShared(disableShared)
                    .setCapacity(capacity)
                    .setLoad(load)
                    .setLastSequence(sequence)
                    .setLastSeen(times.get(0))
                    .setFirstSeen(times.get(1))
                    .setLiveness(liveness)
                    .setLivenessChangedAt(times.get(2))
                    .setAgentVersion(version)
                    .build());
  }

  private static Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.just(""),
        Arbitraries.strings().ascii().ofMaxLength(20),
        Arbitraries.strings().all().ofMaxLength(20), // lone surrogates included
        Arbitraries.strings().withCharRange('\u0080', '\u07ff').ofMaxLength(80),
        Arbitraries.of(
            "h\u00e9llo", "\u4e2d\u6587", "\ud83d\ude00", "a\u0000b", "\ud800x", "y\udfff"),
        Arbitraries.strings().alpha().ofMinLength(60).ofMaxLength(400)); // length of 2 bytes
  }

  private static Arbitrary<List<String>> lists() {
    return Arbitraries.oneOf(
        Arbitraries.just(List.<String>of()),
        texts().list().ofMaxSize(5),
        Arbitraries.strings().ascii().ofMaxLength(3).list().ofMinSize(60).ofMaxSize(300));
  }

  private static Arbitrary<Integer> ints() {
    return Arbitraries.oneOf(
        Arbitraries.integers(),
        Arbitraries.of(0, -1, 1, 63, 64, -64, -65, Integer.MAX_VALUE, Integer.MIN_VALUE));
  }

  private static Arbitrary<Long> longs() {
    return Arbitraries.oneOf(
        Arbitraries.longs(),
        Arbitraries.longs().between(-300, 300),
        Arbitraries.of(
            Long.MAX_VALUE, Long.MIN_VALUE, (long) Integer.MAX_VALUE + 1, 1L << 62, -(1L << 62)));
  }

  private static Arbitrary<Instant> instants() {
    return Arbitraries.oneOf(
        longs().map(Instant::ofEpochMilli),
        Combinators.combine(
                Arbitraries.longs().between(-4_000_000_000L, 4_000_000_000L),
                Arbitraries.integers().between(0, 999_999_999))
            .as(Instant::ofEpochSecond)); // below a millisecond: truncated as Avro does
  }

  private static Arbitrary<HostCapacity> capacities() {
    return Combinators.combine(longs(), longs(), ints(), ints(), ints(), longs(), longs(), ints())
        .flatAs(
            (tx, rx, slots, tasks, cores, memory, disk, gpus) ->
                lists()
                    .map(
                        models ->
                            HostCapacity.newBuilder()
                                .setMaxTxBytesPerSec(tx)
                                .setMaxRxBytesPerSec(rx)
                                .setUploadSlotLimit(slots)
                                .setMaxTasks(tasks)
                                .setCpuCores(cores)
                                .setMemoryBytes(memory)
                                .setDiskBytes(disk)
                                .setGpus(gpus)
                                .setGpuModels(models)
                                .build()));
  }

  private static Arbitrary<HostLoad> loads() {
    Arbitrary<Double> doubles =
        Arbitraries.oneOf(
            Arbitraries.doubles(),
            Arbitraries.of(
                0.0,
                -0.0,
                Double.NaN,
                Double.longBitsToDouble(0x7ff8_0000_0000_0001L), // a NaN of other bits
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE,
                Double.MAX_VALUE,
                1.0));
    return Combinators.combine(longs(), longs(), ints(), ints(), doubles, longs(), longs())
        .as(
            (tx, rx, uploads, tasks, cpu, memory, disk) ->
                HostLoad.newBuilder()
                    .setTxBytesPerSec(tx)
                    .setRxBytesPerSec(rx)
                    .setConcurrentUploads(uploads)
                    .setRunningTasks(tasks)
                    .setCpuUsage(cpu)
                    .setMemoryUsedBytes(memory)
                    .setDiskUsedBytes(disk)
                    .build());
  }
}
