package io.swarmsched.bench.security;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Measurement;
import io.swarmsched.bench.ProcessStats;
import io.swarmsched.bench.Records;
import io.swarmsched.bench.ingest.HeartbeatIngestBench;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.serde.SpecificAvroSerializer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What TLS + SASL/SCRAM cost, beside plaintext in the same run: two embedded brokers (one
 * plaintext, one as {@code up --bind} runs it) started side by side, then rounds that alternate
 * between them, so the load other processes put on the machine falls on both alike. Each round
 * measures (a) producing pre-serialized heartbeats (acks=all, idempotent) and (b) heartbeat-ingest
 * (10,000 hosts, exactly-once, the quick heartbeat-ingest benchmark) on each broker. Medians are
 * printed.
 *
 * <p>{@code java -cp ... io.swarmsched.bench.security.TlsCost [ROUNDS] [OUT_DIR]}
 */
public final class TlsCost {
  private TlsCost() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path out = Path.of(args.length > 1 ? args[1] : "bench-results/tls-cost");
    Files.createDirectories(out);
    PrintStream console = System.out;
    Map<String, List<Double>> figures = new TreeMap<>();
    try (BenchContext plain = new BenchContext(true, out.resolve("plaintext"), console, false);
        BenchContext tls = new BenchContext(true, out.resolve("tls"), console, true)) {
      plain.cluster();
      tls.cluster();
      for (int round = 1; round <= rounds; round++) {
        for (BenchContext ctx : List.of(plain, tls)) {
          String mode = ctx.secure() ? "TLS+SCRAM" : "plaintext";
          double cpuBefore = cpuSeconds(ctx);
          double produced = produceRate(ctx, PRODUCED);
          double produceCpu = cpuSeconds(ctx) - cpuBefore;
          add(figures, "produce heartbeats/s, " + mode, produced);
          add(
              figures,
              "produce CPU us/record (client + broker), " + mode,
              produceCpu * 1e6 / PRODUCED);
          cpuBefore = cpuSeconds(ctx);
          BenchResult ingest = new HeartbeatIngestBench().run(ctx);
          double ingestCpu = cpuSeconds(ctx) - cpuBefore;
          for (Measurement m : ingest.getMeasurements()) {
            if (m.name().startsWith("ingest heartbeats/s")) {
              add(figures, m.name() + ", " + mode, m.value());
            }
          }
          // Everything the ingest benchmark did (produce its input, the unsigned and the signed
          // ingest runs of 20,000 heartbeats each, the in-process cost probe), on both sides of the
          // wire: CPU time, which the machine's other load changes far less than a rate.
          add(figures, "ingest benchmark CPU s (process + broker), " + mode, ingestCpu);
          console.printf("round %d %s: produce %.0f/s%n", round, mode, produced);
        }
      }
    }
    StringBuilder report = new StringBuilder("| figure | rounds | median |\n|---|---|---:|\n");
    figures.forEach(
        (name, values) -> {
          List<Double> sorted = new ArrayList<>(values);
          sorted.sort(Double::compare);
          double median = sorted.get(sorted.size() / 2);
          report.append(
              String.format(
                  "| %s | %s | %,.1f |%n",
                  name, values.stream().map(v -> String.format("%,.1f", v)).toList(), median));
        });
    Files.writeString(out.resolve("tls-cost.md"), report.toString());
    console.println(report);
  }

  private static final int PRODUCED = 100_000;

  private static void add(Map<String, List<Double>> figures, String name, double value) {
    figures.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
  }

  /**
   * CPU seconds used so far by this process (client, ingest, registry) and by {@code ctx}'s broker;
   * the other broker idles meanwhile, so deltas are one mode's cost. CPU time, unlike a rate, is
   * little changed by other processes competing for the cores.
   */
  private static double cpuSeconds(BenchContext ctx) {
    return ProcessStats.cpuSeconds(ProcessStats.selfPid()).orElse(Double.NaN)
        + ProcessStats.cpuSeconds(ctx.brokerPid()).orElse(Double.NaN);
  }

  /** Records/s producing {@code count} pre-serialized heartbeats to a fresh topic. */
  private static double produceRate(BenchContext ctx, int count) throws Exception {
    String topic = ctx.newTopic("tls-cost", 3);
    SpecificAvroSerializer<HostHeartbeat> serializer = ctx.serializer();
    SplittableRandom rnd = new SplittableRandom(count);
    Instant now = Instant.now();
    List<byte[]> values = new ArrayList<>(count);
    List<String> keys = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      HostHeartbeat hb = Records.heartbeat(i % 10_000, i / 10_000 + 1, now, rnd);
      keys.add(hb.getHostId().toString());
      values.add(serializer.serialize(topic, hb));
    }
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ctx.producerProps())) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, keys.get(i), values.get(i)));
      }
      producer.flush();
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }
}
