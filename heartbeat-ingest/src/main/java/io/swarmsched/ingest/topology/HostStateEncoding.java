package io.swarmsched.ingest.topology;

import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.serde.WireFormat;
import io.swarmsched.topics.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes a {@code HostState} once for both places an accepted heartbeat writes it: the host store
 * (and so its changelog) and swarm.hosts.v1. {@link HostStateProcessor} writes the store, then
 * forwards the same object to the sink on the same stream thread, so the sink's call finds the
 * bytes of the store's call (one Avro encode per heartbeat instead of two; the encode was the
 * largest single cost in the ingest profile, issue 17).
 *
 * <p>Always encoded as swarm.hosts.v1's value (its subject), whatever topic Streams names (the
 * changelog's), so the bytes are the same for both. The remembered pair is per thread (the
 * topology's serializers are shared by every stream thread) and by identity: states are never
 * changed after they are built, and a different object is simply encoded.
 *
 * <p>The encode itself is {@link HostStateWriter}'s, by hand, behind the registry serializer's own
 * 5-byte header (magic byte and schema id), which the first call learns by letting the registry
 * serializer encode a few probe states (so the schema is registered or looked up exactly as
 * before). The hand encoder is used only if {@code HostState}'s schema is the one it was written
 * for and its bytes of every probe (every symbol of both enums, non-ASCII strings, negative
 * numbers) are the serializer's; otherwise, and for any state the hand encoder cannot write, the
 * registry serializer writes as before. Either way the bytes are the same.
 */
final class HostStateEncoding implements Serializer<HostState> {
  private static final Logger log = LoggerFactory.getLogger(HostStateEncoding.class);

  private static final class Last {
    final HostStateWriter writer = new HostStateWriter();
    HostState state;
    byte[] bytes;
  }

  private static final byte[] UNDECIDED = new byte[0];

  private final Serializer<HostState> avro;
  private final ThreadLocal<Last> last = ThreadLocal.withInitial(Last::new);

  /**
   * The header of the hand-written bytes; {@code null} when refused, {@link #UNDECIDED} at first.
   */
  private volatile byte[] header = UNDECIDED;

  HostStateEncoding(Serializer<HostState> avro) {
    this.avro = avro;
  }

  @Override
  public byte[] serialize(String topic, HostState state) {
    if (state == null) {
      return null;
    }
    Last l = last.get();
    if (l.state != state) {
      l.bytes = encode(l.writer, state);
      l.state = state;
    }
    return l.bytes;
  }

  /** Whether the hand encoder writes (after the first state; for tests and the benchmark). */
  boolean handWritten() {
    return header != null && header != UNDECIDED;
  }

  private byte[] encode(HostStateWriter writer, HostState state) {
    byte[] h = header;
    if (h == UNDECIDED) {
      h = decide(writer);
    }
    if (h != null) {
      try {
        return writer.write(h, state);
      } catch (RuntimeException e) {
        // a state Avro refuses too (a null where none is allowed, …): let Avro say why
      }
    }
    return avro.serialize(Topics.HOSTS.name(), state);
  }

  private synchronized byte[] decide(HostStateWriter writer) {
    if (header != UNDECIDED) {
      return header;
    }
    byte[] decided = null;
    if (!HostStateWriter.writtenForTheClassSchema()) {
      log.warn(
          "HostState's schema is not the one the hand-written encoder was written for"
              + " (fingerprint {} instead of {}): encoding with Avro",
          HostStateWriter.fingerprint(HostState.getClassSchema()),
          HostStateWriter.WRITTEN_FOR);
    } else {
      decided = agreedHeader(writer);
    }
    header = decided;
    return decided;
  }

  /** The registry serializer's header if the hand encoder writes every probe as it does. */
  private byte[] agreedHeader(HostStateWriter writer) {
    byte[] h = null;
    for (HostState probe : probes()) {
      byte[] expected = avro.serialize(Topics.HOSTS.name(), probe);
      if (expected.length < WireFormat.HEADER_SIZE || expected[0] != WireFormat.MAGIC_BYTE) {
        log.warn(
            "The HostState serializer wrote no Confluent wire format header: encoding with Avro");
        return null;
      }
      if (h == null) {
        h = Arrays.copyOf(expected, WireFormat.HEADER_SIZE);
      }
      if (!Arrays.equals(handWrite(writer, h, probe), expected)) {
        log.warn(
            "The hand-written HostState encoder disagrees with the registry serializer"
                + " (a projection to another schema version?): encoding with Avro");
        return null;
      }
    }
    return h;
  }

  private static byte[] handWrite(HostStateWriter writer, byte[] header, HostState probe) {
    try {
      return writer.write(header, probe);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** States whose bytes show the schema's field order, enums and string and number encodings. */
  static List<HostState> probes() {
    List<HostState> probes = new ArrayList<>();
    int n = Math.max(HostType.values().length, Liveness.values().length);
    for (int i = 0; i < n; i++) {
      probes.add(
          HostState.newBuilder()
              .setHostId("probe-" + i + "-ü")
              .setHostname("h\u00e9\u4e2d\ud83d\ude00" + i)
              .setIp("10.0.0." + i)
              .setPieceServerAddress("10.0.0." + i + ":65001")
              .setType(HostType.values()[i % HostType.values().length])
              .setIdc("idc-" + i)
              .setLocation("cn|zj|" + i)
              .setTags(List.of("t" + i, "", "gpu"))
              .setDisableShared(i % 2 == 0)
              .setCapacity(
                  HostCapacity.newBuilder()
                      .setMaxTxBytesPerSec(Long.MAX_VALUE - i)
                      .setMaxRxBytesPerSec(Long.MIN_VALUE + i)
                      .setUploadSlotLimit(-1 - i)
                      .setMaxTasks(Integer.MAX_VALUE - i)
                      .setCpuCores(Integer.MIN_VALUE + i)
                      .setMemoryBytes(1L << (33 + i))
                      .setDiskBytes(-(1L << (40 + i)))
                      .setGpus(64 + i)
                      .setGpuModels(List.of("A100", "H100-" + i))
                      .build())
              .setLoad(
                  HostLoad.newBuilder()
                      .setTxBytesPerSec(127 + i)
                      .setRxBytesPerSec(-64 - i)
                      .setConcurrentUploads(63 + i)
                      .setRunningTasks(-65 - i)
                      .setCpuUsage(i == 0 ? -0.0 : 0.25 * i)
                      .setMemoryUsedBytes(8191L + i)
                      .setDiskUsedBytes(1L << 56)
                      .build())
              .setLastSequence(3L + i)
              .setLastSeen(Instant.ofEpochMilli(1_767_225_600_123L + i))
              .setFirstSeen(Instant.ofEpochMilli(-1_000L - i))
              .setLiveness(Liveness.values()[i % Liveness.values().length])
              .setLivenessChangedAt(Instant.ofEpochMilli(1_767_225_599_000L + i))
              .setAgentVersion("0.1." + i)
              .build());
    }
    return probes;
  }
}
