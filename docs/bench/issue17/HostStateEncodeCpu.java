package io.swarmsched.ingest.topology;

import io.swarmsched.bench.Records;
import io.swarmsched.ingest.liveness.HostStates;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.HostState;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Thread CPU per HostState encode through HostStateEncoding (a new object each time, so each is
 * encoded), the bench's heartbeats folded into states. In the ingest's package (HostStateEncoding is
 * package-private): with main's heartbeat-ingest classes first on the class path it measures the
 * Avro serializer, with this branch's the hand-written encoder. Not part of the harness.
 *
 * <p>java -cp "/tmp/enc:INGEST_CLASSES:REST" io.swarmsched.ingest.topology.HostStateEncodeCpu STATES ROUNDS
 */
public class HostStateEncodeCpu {
  public static void main(String[] a) {
    int n = Integer.parseInt(a[0]);
    int rounds = Integer.parseInt(a[1]);
    String url = MockSchemaRegistry.MOCK_URL_PREFIX + "enc";
    SpecificAvroSerde<HostState> avro = SpecificAvroSerde.of(HostState.class, Map.of("schema.registry.url", url));
    HostStateEncoding enc = new HostStateEncoding(avro.serializer());
    Instant t0 = Instant.parse("2026-12-05T00:00:00Z");
    SplittableRandom rnd = new SplittableRandom(1);
    List<HostState> states = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      states.add(HostStates.apply(Records.heartbeat(i, 1, t0, rnd), null, t0));
    }
    // the same bytes either way
    long check = 0;
    for (HostState s : states) {
      byte[] mine = enc.serialize("changelog", s);
      if (!Arrays.equals(mine, avro.serializer().serialize(Topics.HOSTS.name(), s))) {
        throw new AssertionError("bytes differ for " + s.getHostId());
      }
      check += mine.length;
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    List<Double> per = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      // fresh copies: the encoding remembers the last object it encoded
      List<HostState> copies = new ArrayList<>(n);
      for (HostState s : states) {
        copies.add(HostState.newBuilder(s).build());
      }
      long c0 = mx.getCurrentThreadCpuTime();
      for (HostState s : copies) {
        check += enc.serialize("changelog", s).length;
      }
      long c1 = mx.getCurrentThreadCpuTime();
      per.add((c1 - c0) / 1000.0 / n);
    }
    List<Double> warm = new ArrayList<>(per.subList(rounds / 2, rounds));
    warm.sort(null);
    System.out.printf(
        "encode µs CPU per state, rounds: %s; median of the second half %.3f, min %.3f (%d bytes total)%n",
        per.stream().map(d -> String.format("%.3f", d)).toList(), warm.get(warm.size() / 2), warm.get(0), check);
  }
}
