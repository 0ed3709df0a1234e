package io.swarmsched.cli;

import io.swarmsched.replay.Recorder;
import io.swarmsched.replay.ReplayException;
import io.swarmsched.replay.SyntheticHistory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code swarmsched record}: a time range of the dispatcher's inputs and decisions, to a file. */
@Command(
    name = "record",
    mixinStandardHelpOptions = true,
    description =
        "Export a time range of the dispatcher's inputs (schedule requests, peer and piece events, hosts,"
            + " host scores, task metadata) and its decisions from a cluster into one compressed Avro file"
            + " with the schemas inside, for `swarmsched replay`. Joins no consumer group.",
    footer = {
      "",
      "TIME: an ISO-8601 instant (2026-12-04T19:00:00Z), now, or a duration back from now (15m, 1h30m).",
      "",
      "Examples:",
      "  swarmsched record --from 15m -O last-15m.avro",
      "  swarmsched record --from 2026-12-04T19:00:00Z --to 2026-12-04T20:00:00Z -O evening.avro",
      "  swarmsched record --synthetic 1000000 -O synthetic.avro   (no cluster: for benchmarks)"
    })
final class RecordCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--from", paramLabel = "TIME", description = "Start of the range (inclusive).")
  String from;

  @Option(
      names = "--to",
      paramLabel = "TIME",
      defaultValue = "now",
      description = "End of the range (exclusive; default: ${DEFAULT-VALUE}).")
  String to;

  @Option(
      names = {"-O", "--output"},
      required = true,
      paramLabel = "FILE",
      description = "The recording to write.")
  Path output;

  @Option(
      names = {"--bootstrap-server", "-b"},
      paramLabel = "HOST:PORT",
      defaultValue = "${env:SWARM_BOOTSTRAP_SERVERS:-localhost:9092}",
      description =
          "Kafka bootstrap servers (default: $SWARM_BOOTSTRAP_SERVERS or ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(
      names = "--schema-registry",
      paramLabel = "URL",
      defaultValue = "${env:SWARM_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
      description =
          "Schema registry, for the writer schemas stored in the file (default: $SWARM_SCHEMA_REGISTRY_URL or ${DEFAULT-VALUE}).")
  String registryUrl;

  @Option(
      names = "--consumer-property",
      paramLabel = "KEY=VALUE",
      description = "A Kafka consumer property (e.g. security settings); repeatable.")
  Map<String, String> consumerProperties = new LinkedHashMap<>();

  @Option(
      names = "--synthetic",
      paramLabel = "N",
      description =
          "Write a synthetic history of N schedule requests (200 hosts, tasks of 50 peers, 6 partitions)"
              + " instead of reading a cluster: to measure the replay rate.")
  Integer synthetic;

  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      if (synthetic != null) {
        long t0 = System.nanoTime();
        var rec = SyntheticHistory.generate(SyntheticHistory.Options.large(synthetic));
        long n = SyntheticHistory.write(rec, output);
        out.printf(
            Locale.ROOT,
            "wrote %,d records (%,d schedule requests) to %s in %.1f s%n",
            n,
            synthetic,
            output,
            (System.nanoTime() - t0) / 1e9);
        return 0;
      }
      if (from == null) {
        throw new CommandFailure("record: --from TIME is required (or --synthetic N)");
      }
      Instant start = TimeArg.parse("--from", from, clock);
      Instant end = TimeArg.parse("--to", to, clock);
      Recorder.Summary s =
          Recorder.record(
              new Recorder.Options(bootstrapServers, registryUrl, start, end, consumerProperties),
              output,
              line -> {
                out.println(line);
                out.flush();
              });
      out.printf(
          Locale.ROOT,
          "recorded %,d records from %s to %s into %s (%,d bytes): %s%n",
          s.total(),
          start,
          end,
          output,
          s.bytes(),
          s.recordsByTopic());
      out.flush();
      return 0;
    } catch (ReplayException e) {
      throw new CommandFailure("record: " + e.getMessage(), e);
    }
  }
}
