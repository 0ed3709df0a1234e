package io.swarmsched.cli;

import io.swarmsched.replay.Comparison;
import io.swarmsched.replay.Recorder;
import io.swarmsched.replay.RecordingFile;
import io.swarmsched.replay.ReplayException;
import io.swarmsched.replay.ReplaySettings;
import io.swarmsched.replay.Replayer;
import io.swarmsched.replay.TopicsOutput;
import io.swarmsched.replay.WhatIfReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code swarmsched replay}: recorded history through the dispatcher's topology, what-if. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description =
        "Run the dispatcher's own topology over recorded inputs in record-timestamp order (stream time),"
            + " in isolation (no consumer group, nothing written to live topics; a cluster only with"
            + " --from or --to-topics), with the policy and settings recorded with the decisions or others. Writes the decisions (decisions.jsonl), says how many of the recorded"
            + " decisions it reproduced and why each other differs, and a what-if report (report.md,"
            + " report.json, PNG charts) comparing the recorded policy with the replayed one.",
    footer = {
      "",
      "TIME: an ISO-8601 instant (2026-12-04T19:00:00Z), now, or a duration back from now (15m, 1h30m).",
      "",
      "Examples:",
      "  swarmsched replay --input last-15m.avro --out replay-same",
      "  swarmsched replay --input last-15m.avro --policy random --out replay-random",
      "  swarmsched replay --from 15m --set swarm.dispatcher.candidate.limit=8 --out replay-c8",
      "  swarmsched replay --input last-15m.avro --policy random --to-topics replay-random."
    })
final class ReplayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  static final class Source {
    @Option(
        names = "--input",
        paramLabel = "FILE",
        description = "A recording made by swarmsched record.")
    Path input;

    @Option(
        names = "--from",
        paramLabel = "TIME",
        description = "Record this range from the cluster first (kept as recording.avro in --out).")
    String from;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(
      names = "--to",
      paramLabel = "TIME",
      defaultValue = "now",
      description = "End of the range with --from (default: ${DEFAULT-VALUE}).")
  String to;

  @Option(
      names = "--policy",
      paramLabel = "NAME",
      description = "The stage-1 policy to replay with (default: the recorded one).")
  String policy;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "A dispatcher setting on top of the recorded ones, e.g. swarm.dispatcher.parents.max=2;"
              + " repeatable.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Where the decisions (decisions.jsonl, written as they are made) and the report go;"
              + " needed unless --to-topics is given.")
  Path out;

  @Option(
      names = "--to-topics",
      paramLabel = "PREFIX",
      description =
          "Also write the replayed decisions and peer events to PREFIXswarm.schedule-decisions.v1"
              + " and PREFIXswarm.peer-events.v1 on the cluster of --bootstrap-server (made when"
              + " missing; e.g. replay-random.). Only produces: joins no consumer group; a prefix"
              + " that would name a live topic is refused.")
  String toTopics;

  @Option(
      names = "--table-timing",
      paramLabel = "recorded|timestamp",
      defaultValue = "recorded",
      description =
          "When host and score records reach the replay's tables: as they reached the live dispatcher"
              + " (the tables' offsets each decision recorded, or for older decisions their 'as of'"
              + " times), or strictly by timestamp (default: ${DEFAULT-VALUE}).")
  Replayer.TableTiming tableTiming;

  @Option(
      names = "--no-simulate",
      description = "Skip the simulator's predicted completion times in the report.")
  boolean noSimulate;

  @Option(
      names = {"--bootstrap-server", "-b"},
      paramLabel = "HOST:PORT",
      defaultValue = "${env:SWARM_BOOTSTRAP_SERVERS:-localhost:9092}",
      description =
          "With --from or --to-topics: Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(
      names = "--schema-registry",
      paramLabel = "URL",
      defaultValue = "${env:SWARM_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
      description = "With --from or --to-topics: the schema registry (default: ${DEFAULT-VALUE}).")
  String registryUrl;

  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // the drivers' start-up lines (one per partition) say nothing to an analyst
    org.apache.logging.log4j.core.config.Configurator.setLevel(
        "io.swarmsched.dispatcher", org.apache.logging.log4j.Level.WARN);
    try {
      // refuse a wrong policy, key or prefix before reading anything
      ReplaySettings.config(policy, settings);
      if (out == null && toTopics == null) {
        throw new CommandFailure("replay: --out DIR or --to-topics PREFIX is required");
      }
      if (toTopics != null) TopicsOutput.checkPrefix(toTopics);
      Path input = source.input;
      if (input == null) {
        Instant start = TimeArg.parse("--from", source.from, clock);
        Instant end = TimeArg.parse("--to", to, clock);
        input = recordingFile();
        Recorder.Summary s =
            Recorder.record(
                new Recorder.Options(bootstrapServers, registryUrl, start, end, Map.of()),
                input,
                line -> {
                  o.println(line);
                  o.flush();
                });
        o.printf(Locale.ROOT, "recorded %,d records into %s%n", s.total(), input);
      }
      o.println("reading " + input + " …");
      o.flush();
      RecordingFile.Recording rec = RecordingFile.read(input);
      Progress bar = new Progress(err, System.console() != null);
      Replayer.Result r;
      TopicsOutput topics = null;
      try {
        if (toTopics != null) {
          topics = new TopicsOutput(toTopics, bootstrapServers, registryUrl, Map.of());
        }
        r =
            Replayer.replay(
                rec,
                new Replayer.Options(
                    policy,
                    settings,
                    null,
                    bar::show,
                    tableTiming,
                    out,
                    topics == null ? List.of() : List.of(topics),
                    null)); // the rounds the live dispatcher recorded (RoundTiming.RECORDED)
      } finally {
        if (topics != null) topics.close(); // waits for every send to be acknowledged
      }
      bar.done();
      Comparison.Result c = r.comparison();
      if (topics != null) {
        o.printf(
            Locale.ROOT,
            "wrote %,d records to %s and %s on %s%n",
            topics.sent(),
            topics.decisionsTopic(),
            topics.peerEventsTopic(),
            bootstrapServers);
      }
      long inputs = r.inputsByTopic().values().stream().mapToLong(Long::longValue).sum();
      o.printf(
          Locale.ROOT,
          "replayed %,d inputs with %s in %.1f s (%,.0f inputs/s, %,d schedule requests)%n",
          inputs,
          r.policyId(),
          r.seconds(),
          inputs / Math.max(r.seconds(), 1e-9),
          r.inputsByTopic().getOrDefault("swarm.schedule-requests.v1", 0L));
      o.println("settings: " + r.settingsSource());
      if (!r.undecodable().isEmpty()) {
        o.printf(
            Locale.ROOT,
            "%,d records did not decode and were skipped (listed in report.json), e.g. %s: %s%n",
            r.undecodable().size(),
            r.undecodable().get(0).coordinates(),
            r.undecodable().get(0).reason());
      }
      o.printf(
          Locale.ROOT,
          "%d of %d decisions identical to the recorded ones (%s); %d differ, %d unexplained%n",
          c.identical(),
          c.compared(),
          r.recordedPolicyId() == null ? "none recorded" : "recorded: " + r.recordedPolicyId(),
          c.different(),
          c.unexplained());
      c.differences().stream()
          .limit(5)
          .forEach(d -> o.println("  " + d.requestId() + ": " + d.cause()));
      o.printf(
          Locale.ROOT,
          "back to source %d → %d, parent slots on super seeds %d → %d, largest host share %.1f%% → %.1f%%%n",
          r.recorded().backToSource(),
          r.replayed().backToSource(),
          r.recorded().seedParentSlots(),
          r.replayed().seedParentSlots(),
          100 * r.recorded().maxHostShare(),
          100 * r.replayed().maxHostShare());
      if (out != null) {
        WhatIfReport.write(r, out, !noSimulate);
        o.println(
            "report: "
                + out.resolve("report.md")
                + " (and report.json, decisions.jsonl, differences.jsonl, *.png)");
      }
      o.flush();
      return 0;
    } catch (ReplayException e) {
      throw new CommandFailure("replay: " + e.getMessage(), e);
    }
  }

  /** Where a recording made with --from goes: into --out, or a temporary file without it. */
  private Path recordingFile() {
    if (out != null) return out.resolve("recording.avro");
    try {
      Path tmp = java.nio.file.Files.createTempFile("swarmsched-replay-", ".avro");
      tmp.toFile().deleteOnExit();
      return tmp;
    } catch (java.io.IOException e) {
      throw new CommandFailure("replay: cannot make a temporary file: " + e.getMessage(), e);
    }
  }

  /** A progress bar on stderr (a line per 10% when not a terminal). */
  static final class Progress {
    private final PrintWriter err;
    private final boolean tty;
    private int lastTenth = -1;
    private boolean drawn;

    Progress(PrintWriter err, boolean tty) {
      this.err = err;
      this.tty = tty;
    }

    void show(Replayer.Progress p) {
      double f = p.total() == 0 ? 1 : (double) p.done() / p.total();
      double rate = p.done() / Math.max(p.seconds(), 1e-9);
      String line =
          String.format(
              Locale.ROOT,
              "replay [%-30s] %3.0f%% %,d/%,d inputs %,.0f/s",
              "#".repeat((int) (f * 30)),
              100 * f,
              p.done(),
              p.total(),
              rate);
      if (tty) {
        err.print("\r" + line);
        drawn = true;
        err.flush();
      } else if ((int) (f * 10) > lastTenth) {
        lastTenth = (int) (f * 10);
        err.println(line);
        err.flush();
      }
    }

    void done() {
      if (drawn) {
        err.println();
        err.flush();
      }
    }
  }
}
