package io.swarmsched.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.agent.Agent;
import io.swarmsched.agent.download.DownloadProgress;
import io.swarmsched.agent.download.DownloadRequest;
import io.swarmsched.agent.download.DownloadResult;
import io.swarmsched.agent.origin.OriginServer;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.swarm.BoundedClose;
import io.swarmsched.swarm.DemoSwarmAgents;
import io.swarmsched.swarm.LocalSwarm;
import io.swarmsched.testing.TopicReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real run recorded and replayed: the embedded cluster with every service, a super seed and four
 * agents downloading through the swarm; a replay with {@code random} written to topics under a
 * prefix while the cluster is up; {@code Recorder} exports the range, the replay with the recorded
 * policy reproduces at least 99% of the decisions and explains every difference (for a light and a
 * busy run), and a replay with {@code random} gives a report whose figures are those of its
 * decisions.
 */
class ReplayClusterTest {
  @TempDir Path data;

  /**
   * One file fetched by four agents (about ten decisions): at least 99% identical (so all of them),
   * every difference explained, then {@code random} with a report whose figures match its
   * decisions. Before the rounds a request waited through were recorded, a retry the live
   * dispatcher made on its wall clock could be decided in another round by the replay (one of ten
   * in one run of several; replay/README.md, "Busy runs").
   */
  @Test
  void aRecordedSwarmRunReplaysWithItsPolicyAndWithRandom() throws Exception {
    run(1, 0.99, true);
  }

  /**
   * A busy history: eight files fetched at once by each of four agents (90-200 decisions, many of
   * them retries made on the live dispatcher's wall clock, host and score records of every agent
   * arriving all the time, racing the decisions). Replayed by the tables' positions, the inputs the
   * decisions name and the rounds their requests waited through (replay/README.md, "Busy runs"): at
   * least 99% identical, every difference explained (by the replay's own clock the same recordings
   * gave 78-97%).
   */
  @Test
  void aBusyRunReplaysByTheRecordedPositionsAndRoundsWithEveryDifferenceExplained()
      throws Exception {
    run(8, 0.99, false);
  }

  /** {@code files} downloaded at once by each agent, recorded, replayed (see the tests). */
  private void run(int files, double identical, boolean alsoToTopics) throws Exception {

    long size = 4L << 20;
    Path originDir = Files.createDirectories(data.resolve("origin"));
    List<String> digests = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      digests.add(generate(originDir.resolve("file-" + f + ".bin"), size, f));
    }
    Instant from = Instant.now();
    Path recording = data.resolve("run.avro");
    try (LocalSwarm swarm =
            LocalSwarm.start(LocalSwarm.Options.ephemeral(data), System.out::println);
        OriginServer origin = OriginServer.start(originDir, "127.0.0.1", 0, true)) {
      List<DemoSwarmAgents.Spec> specs = DemoSwarmAgents.specs(5);
      List<Agent> agents = new ArrayList<>();
      try {
        for (DemoSwarmAgents.Spec spec : specs) {
          agents.add(
              DemoSwarmAgents.start(
                  swarm, spec, data.resolve("agents"), 2L << 20, 256 * 1024, Map.of()));
        }
        awaitOnlineAndScored(swarm, specs.size(), Duration.ofSeconds(90));
        // every downloading agent fetching every file at once, so that peers find each other as
        // parents and not only the seed
        List<CompletableFuture<DownloadResult>> downloads = new ArrayList<>();
        for (int f = 0; f < files; f++) {
          String url = origin.url("file-" + f + ".bin");
          for (int i = 1; i < agents.size(); i++) {
            Path out =
                data.resolve("downloads")
                    .resolve(specs.get(i).hostId())
                    .resolve("file-" + f + ".bin");
            downloads.add(
                agents
                    .get(i)
                    .download(
                        DownloadRequest.of(url, out).withDigest(digests.get(f)),
                        new DownloadProgress()));
          }
        }
        for (CompletableFuture<DownloadResult> d : downloads) d.get(4, TimeUnit.MINUTES);
      } finally {
        BoundedClose.all("the agents", agents, Duration.ofSeconds(10));
      }
      Instant to = Instant.now().plusMillis(1);
      Recorder.Summary s =
          Recorder.record(
              new Recorder.Options(
                  swarm.bootstrapServers(), swarm.registryUrl(), from, to, Map.of()),
              recording,
              System.out::println);
      System.out.println("recorded " + s.recordsByTopic());
      // kept for a look at the differences after the run (target/ is the build's own)
      Files.copy(
          recording,
          Path.of("target", "ReplayClusterTest-" + files + "-files.avro"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThat(s.recordsByTopic())
          .containsKeys(
              "swarm.schedule-requests.v1",
              "swarm.schedule-decisions.v1",
              "swarm.hosts.v1",
              "swarm.host-scores.v1",
              "swarm.piece-events.v1");
      if (alsoToTopics) {
        replaysIntoTopicsUnderAPrefixNotTheLiveOnes(swarm, RecordingFile.read(recording));
      }
    }

    // the cluster is gone: the replay needs only the file
    RecordingFile.Recording rec = RecordingFile.read(recording);
    List<ScheduleDecision> decisions = new ArrayList<>();
    Replayer.Result same =
        Replayer.replay(
            rec,
            Replayer.Options.of(null).writingTo(data.resolve("same")).withOutput(decisions::add));
    Comparison.Result c = same.comparison();
    WhatIfReport.write(same, data.resolve("same"), false);
    String report = Files.readString(data.resolve("same").resolve("report.md"));
    System.out.println(report);

    assertThat(same.undecodable()).isEmpty();
    assertThat(same.policyId()).isEqualTo(same.recordedPolicyId());
    assertThat(c.compared()).as(report).isGreaterThanOrEqualTo(files * 4);
    System.out.printf(
        "same policy: %d of %d identical (%.2f%%), %d table records applied late%n",
        c.identical(), c.compared(), 100 * c.identicalShare(), same.tableRecordsRetimed());
    assertThat(c.identicalShare()).as(report).isGreaterThanOrEqualTo(identical);
    assertThat(c.differences()).as(report).allSatisfy(d -> assertThat(d.explained()).isTrue());
    assertThat(decisions)
        .extracting(d -> d.getOutcome())
        .contains(DecisionOutcome.PARENTS, DecisionOutcome.SEED_TRIGGER);

    Path out = data.resolve("random");
    Replayer.Result random = Replayer.replay(rec, Replayer.Options.of("random").writingTo(out));
    WhatIfReport.write(random, out, false);
    System.out.println(Files.readString(out.resolve("report.md")));
    assertReportMatchesDecisions(out);
  }

  /**
   * With the cluster still up: a {@code random} replay written to topics under a prefix, which a
   * reader finds there in full, while the live decisions topic gets none of it.
   */
  private static void replaysIntoTopicsUnderAPrefixNotTheLiveOnes(
      LocalSwarm swarm, RecordingFile.Recording rec) {
    String prefix = "replay-" + UUID.randomUUID() + ".";
    List<ScheduleDecision> replayed = new ArrayList<>();
    TopicsOutput topics =
        new TopicsOutput(prefix, swarm.bootstrapServers(), swarm.registryUrl(), Map.of());
    try (topics) {
      Replayer.replay(
          rec, Replayer.Options.of("random").withOutput(replayed::add).withOutput(topics));
    }
    assertThat(topics.decisionsTopic()).isEqualTo(prefix + "swarm.schedule-decisions.v1");
    assertThat(topics.sent()).isGreaterThanOrEqualTo(replayed.size());
    Map<String, String> serde = Map.of("schema.registry.url", swarm.registryUrl());
    TopicReader reader = new TopicReader(swarm.bootstrapServers());
    List<ConsumerRecord<String, ScheduleDecision>> read =
        reader.readUntil(
            topics.decisionsTopic(),
            new StringDeserializer(),
            SpecificAvroSerde.of(ScheduleDecision.class, serde).deserializer(),
            TopicReader.atLeast(replayed.size()),
            Duration.ofSeconds(60));
    assertThat(read).hasSize(replayed.size());
    assertThat(read)
        .extracting(r -> r.value().getDecisionId())
        .containsExactlyInAnyOrderElementsOf(
            replayed.stream().map(ScheduleDecision::getDecisionId).toList());
    assertThat(read).allSatisfy(r -> assertThat(r.value().getPolicyId()).startsWith("random"));
    // the live run decided with load-aware: a random decision there would be the replay's
    List<ConsumerRecord<String, ScheduleDecision>> live =
        reader.readToEnd(
            "swarm.schedule-decisions.v1",
            new StringDeserializer(),
            SpecificAvroSerde.of(ScheduleDecision.class, serde).deserializer(),
            Duration.ofSeconds(60));
    assertThat(live).isNotEmpty();
    assertThat(live).noneSatisfy(r -> assertThat(r.value().getPolicyId()).startsWith("random"));
  }

  /** The report's figures, recounted from decisions.jsonl as an analyst would. */
  static void assertReportMatchesDecisions(Path out) throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode report = json.readTree(out.resolve("report.json").toFile());
    Map<String, Long> byOutcome = new TreeMap<>();
    Map<String, Long> slots = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    Set<String> seeds = new HashSet<>();
    for (String line : Files.readAllLines(out.resolve("decisions.jsonl"), StandardCharsets.UTF_8)) {
      JsonNode d = json.readTree(line);
      String outcome = d.get("outcome").asText();
      if (outcome.equals("SEED_TRIGGER")) {
        seeds.add(d.get("decision_id").asText());
        continue;
      }
      if (!seen.add(d.get("request_id").asText())) continue;
      byOutcome.merge(outcome, 1L, Long::sum);
      for (JsonNode p : d.get("parents")) slots.merge(p.get("host_id").asText(), 1L, Long::sum);
    }
    if (!seeds.isEmpty()) byOutcome.put("SEED_TRIGGER", (long) seeds.size());
    JsonNode replayed = report.get("replayed");
    TypeReference<TreeMap<String, Long>> counts = new TypeReference<>() {};
    assertThat(json.convertValue(replayed.get("byOutcome"), counts)).isEqualTo(byOutcome);
    assertThat(json.convertValue(replayed.get("parentSlotsByHost"), counts)).isEqualTo(slots);
    assertThat(replayed.get("backToSource").asLong())
        .isEqualTo(byOutcome.getOrDefault("BACK_TO_SOURCE", 0L));
    assertThat(replayed.get("seedTriggers").asLong()).isEqualTo(seeds.size());
    assertThat(replayed.get("decisions").asLong()).isEqualTo(seen.size());
  }

  private static String generate(Path file, long size, long seed) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    SplittableRandom random = new SplittableRandom(seed);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; ) {
        int n = (int) Math.min(chunk.length, left);
        for (int i = 0; i < n; i++) chunk[i] = (byte) random.nextInt(256);
        out.write(chunk, 0, n);
        md.update(chunk, 0, n);
        left -= n;
      }
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  /** Polls ingest and scoring until every agent is ONLINE and scored, or fails at the deadline. */
  private static void awaitOnlineAndScored(LocalSwarm swarm, int count, Duration timeout)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    long deadline = System.nanoTime() + timeout.toNanos();
    int online = 0;
    int scored = 0;
    while (System.nanoTime() < deadline) {
      online = count(http, json, swarm.ingestUrl() + "/api/v1/hosts?liveness=ONLINE");
      scored = count(http, json, swarm.scoringUrl() + "/api/v1/scores?top=1000");
      if (online >= count && scored >= count) return;
      Thread.sleep(250);
    }
    throw new AssertionError(online + " online, " + scored + " scored of " + count);
  }

  private static int count(HttpClient http, ObjectMapper json, String url) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) return 0;
    JsonNode n = json.readTree(r.body());
    if (n.isArray()) return n.size();
    for (String field : List.of("hosts", "scores", "items")) {
      if (n.path(field).isArray()) return n.path(field).size();
    }
    return 0;
  }
}
