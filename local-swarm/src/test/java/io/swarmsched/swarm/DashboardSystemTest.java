package io.swarmsched.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.agent.Agent;
import io.swarmsched.agent.download.DownloadProgress;
import io.swarmsched.agent.download.DownloadRequest;
import io.swarmsched.agent.download.DownloadResult;
import io.swarmsched.agent.download.TaskIds;
import io.swarmsched.agent.origin.OriginServer;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.LogCapture;
import io.swarmsched.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard against the embedded cluster with a small local swarm (a super seed and two
 * agents): the APIs it reads answer through its proxy, the scheduler metrics move by exactly what a
 * known sequence of events implies, and — in headless Chromium — the page shows the hosts, a
 * download's DAG filling in and completing, and a bad record among the dead letters. Screenshots go
 * to {@code target/dashboard-screenshots/}.
 */
class DashboardSystemTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(90);
  static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

  @TempDir static Path dir;
  static LocalSwarm swarm;
  static OriginServer origin;
  static final List<Agent> agents = new ArrayList<>();
  static final List<DemoSwarmAgents.Spec> specs = DemoSwarmAgents.specs(3);

  /** WARN and ERROR events logged while the swarm started, until its hosts were ONLINE. */
  static List<String> startWarnings = List.of();

  @BeforeAll
  static void startSwarm() throws Exception {
    Files.createDirectories(dir.resolve("origin"));
    try (LogCapture log = LogCapture.warnings()) {
      swarm = LocalSwarm.start(LocalSwarm.Options.ephemeral(dir), System.out::println);
      origin = OriginServer.start(dir.resolve("origin"), "127.0.0.1", 0, true, 4L << 20);
      for (DemoSwarmAgents.Spec spec : specs) {
        agents.add(
            DemoSwarmAgents.start(
                swarm, spec, dir.resolve("agents"), 2L << 20, 256 * 1024, Map.of()));
      }
      Await.until(
          WAIT, "three ONLINE hosts in heartbeat-ingest", () -> onlineHosts() == specs.size());
      startWarnings = log.events();
    }
  }

  /**
   * Loggers whose warnings at start mean our configuration or code is wrong: ours, Micrometer's (a
   * meter Prometheus refused), and the Kafka configs' (Streams' "processing exception handler is
   * not enabled for the GlobalThread", unknown or unused keys). Kafka's clients also warn at start
   * about what a fresh embedded cluster goes through (connections refused until the broker listens,
   * topics not yet in the metadata, a standby replica with no second instance to go to, state under
   * /tmp): those are not failures.
   */
  static final List<String> OUR_LOGGERS =
      List.of(
          "io.swarmsched.",
          "io.micrometer.",
          "org.apache.kafka.streams.StreamsConfig",
          "org.apache.kafka.clients.consumer.ConsumerConfig",
          "org.apache.kafka.clients.producer.ProducerConfig",
          "org.apache.kafka.clients.admin.AdminClientConfig",
          "org.apache.kafka.common.config.");

  @Test
  void startingTheSwarmLogsNoErrorAndNoWarningOurConfigurationOrCodeCauses() {
    assertThat(startWarnings)
        .filteredOn(
            e -> {
              String[] levelAndLogger = e.split(" ", 3);
              return !levelAndLogger[0].equals("WARN")
                  || OUR_LOGGERS.stream().anyMatch(levelAndLogger[1]::startsWith);
            })
        .isEmpty();
  }

  @AfterAll
  static void stopSwarm() {
    agents.forEach(Agent::close);
    // a rerun of a failed test starts the class afresh: it must not find the closed agents
    agents.clear();
    if (origin != null) {
      origin.close();
    }
    if (swarm != null) {
      swarm.close();
    }
  }

  @Test
  void theDashboardServesItsPageAndForwardsOnlyReadsToTheServices() throws Exception {
    String base = swarm.dashboardUrl();
    assertThat(get(base))
        .satisfies(
            r -> {
              assertThat(r.statusCode()).isEqualTo(200);
              assertThat(r.body()).contains("<title>swarmsched</title>", "app.js");
            });
    assertThat(get(base + "app.js").statusCode()).isEqualTo(200);
    assertThat(get(base + "style.css").headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));

    JsonNode hosts = JSON.readTree(get(base + "proxy/ingest/api/v1/hosts").body());
    assertThat(hosts.path("hosts"))
        .extracting(h -> h.path("host_id").asText())
        .containsExactlyInAnyOrder("seed-0", "agent-1", "agent-2");
    Await.until(
        WAIT,
        "a score for each host",
        () ->
            json(base + "proxy/scoring/api/v1/scores?top=100")
                .map(s -> s.path("scores").size() == 3)
                .orElse(false));
    assertThat(get(base + "proxy/dispatcher/api/v1/tasks?limit=5").statusCode()).isEqualTo(200);
    assertThat(get(base + "proxy/dispatcher/api/v1/tasks?limit=0").statusCode()).isEqualTo(400);
    assertThat(get(base + "proxy/ingest/api/v1/dead-letters").statusCode()).isEqualTo(200);
    assertThat(get(base + "proxy/dispatcher/metrics").body())
        .contains("swarmsched_back_to_source_peers");
    assertThat(get(base + "targets").body()).contains(swarm.ingestUrl(), swarm.dispatcherUrl());

    // The dashboard only reads: no writes, no paths outside the read APIs, no unknown services.
    HttpResponse<String> post =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "proxy/dispatcher/api/v1/schedule"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(get(base + "proxy/dispatcher/_swarm/local/tasks").statusCode()).isEqualTo(403);
    assertThat(get(base + "proxy/nowhere/health").statusCode()).isEqualTo(404);
    assertThat(get(base + "../../etc/passwd").statusCode()).isIn(400, 404);
  }

  /**
   * Who served how much, as the page reads it (without a browser, so it is covered where Chromium
   * is missing): after two agents download a file the seed fetched from the origin, each peer's
   * edges and its bytes from the origin add up to the file's size, and the seed served bytes.
   */
  @Test
  void theTaskApiThePageReadsSaysWhoServedEachPeerHowMuch() throws Exception {
    long size = 3L << 20;
    String digest = SwarmDemo.generate(dir.resolve("origin").resolve("api.bin"), size);
    String url = origin.url("api.bin");
    String taskId = TaskIds.of(url, digest, "");
    for (CompletableFuture<DownloadResult> d : downloadByTheAgents(url, digest, "api.bin")) {
      d.get(3, TimeUnit.MINUTES);
    }
    String tasks = swarm.dashboardUrl() + "proxy/dispatcher/api/v1/tasks?limit=50";
    java.util.concurrent.atomic.AtomicReference<Object> lastSeen =
        new java.util.concurrent.atomic.AtomicReference<>("nothing yet");
    try {
      Await.until(
          WAIT,
          "every peer of the download SUCCEEDED, each having received the whole file",
          () -> {
            Optional<JsonNode> t = json(tasks).flatMap(all -> task(all, taskId));
            lastSeen.set(t.<Object>map(JsonNode::toString).orElse("the task is not listed"));
            return t.map(
                    v ->
                        v.path("peers").size() == 3
                            && stream(v.path("peers"))
                                .allMatch(
                                    p ->
                                        p.path("state").asText().equals("SUCCEEDED")
                                            && p.path("bytes_received").asLong() == size))
                .orElse(false);
          });
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + "; the task API said last: "
              + lastSeen.get()
              + "; dead letters: "
              + body(swarm.ingestUrl() + "/api/v1/dead-letters?limit=20")
              + "; peer events: "
              + peerEventsOn(taskId)
              + "; the dispatcher's committed offsets: "
              + committedOffsets(),
          e);
    }
    JsonNode task = task(json(tasks).orElseThrow(), taskId).orElseThrow();
    Map<String, String> hostOf = new java.util.HashMap<>();
    stream(task.path("peers"))
        .forEach(p -> hostOf.put(p.path("peer_id").asText(), p.path("host_id").asText()));
    long servedBySeed = 0;
    for (JsonNode peer : task.path("peers")) {
      long fromEdges =
          stream(task.path("dag").path("edges"))
              .filter(e -> e.path("to").asText().equals(peer.path("peer_id").asText()))
              .mapToLong(e -> e.path("bytes").asLong())
              .sum();
      assertThat(
              fromEdges
                  + peer.path("bytes_from_origin").asLong()
                  + peer.path("bytes_from_unlisted_parents").asLong())
          .as("bytes received by %s, summed over its edges and the origin: %s", peer, task)
          .isEqualTo(size);
    }
    for (JsonNode e : task.path("dag").path("edges")) {
      assertThat(e.path("current").asBoolean())
          .as("a finished peer has no current parent: %s", e)
          .isFalse();
      if ("seed-0".equals(hostOf.get(e.path("from").asText()))) {
        servedBySeed += e.path("bytes").asLong();
      }
    }
    assertThat(servedBySeed).as("bytes the seed served: %s", task).isPositive();
    JsonNode seed =
        stream(task.path("peers"))
            .filter(p -> p.path("host_id").asText().equals("seed-0"))
            .findFirst()
            .orElseThrow();
    assertThat(seed.path("bytes_from_origin").asLong())
        .as("the seed went back to source for it")
        .isPositive();
  }

  private static String committedOffsets() {
    Properties p = new Properties();
    p.put("bootstrap.servers", swarm.bootstrapServers());
    try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
      var committed =
          admin
              .listConsumerGroupOffsets("swarm-dispatcher")
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> q =
          new java.util.HashMap<>();
      committed
          .keySet()
          .forEach(tp -> q.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
      var ends =
          admin
              .listOffsets(
                  q,
                  new org.apache.kafka.clients.admin.ListOffsetsOptions(
                      org.apache.kafka.common.IsolationLevel.READ_COMMITTED))
              .all()
              .get(10, TimeUnit.SECONDS);
      StringBuilder out = new StringBuilder();
      new java.util.TreeMap<String, String>(
              committed.entrySet().stream()
                  .collect(
                      java.util.stream.Collectors.toMap(
                          en -> en.getKey().toString(),
                          en -> en.getValue().offset() + "/" + ends.get(en.getKey()).offset())))
          .forEach((k, v) -> out.append("\n  ").append(k).append(' ').append(v));
      return out.toString();
    } catch (Exception e) {
      return "(could not read: " + e + ")";
    }
  }

  /** The peer events of {@code taskId} on the topic, for a failure message (printable bytes). */
  private static String peerEventsOn(String taskId) {
    StringBuilder out = new StringBuilder();
    try {
      for (var r :
          new io.swarmsched.testing.TopicReader(swarm.bootstrapServers())
              .readToEnd(
                  Topics.PEER_EVENTS.name(),
                  new org.apache.kafka.common.serialization.StringDeserializer(),
                  new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                  Duration.ofSeconds(10))) {
        if (!taskId.equals(r.key()) || r.value() == null) continue;
        out.append("\n  ")
            .append(r.partition())
            .append('@')
            .append(r.offset())
            .append(' ')
            .append(r.timestamp())
            .append(' ')
            .append(new String(r.value(), StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "."));
      }
    } catch (RuntimeException | AssertionError e) {
      out.append(" (could not read: ").append(e).append(')');
    }
    return out.toString();
  }

  /** Every agent but the seed starts downloading {@code url}, to {@code file} in its folder. */
  private static List<CompletableFuture<DownloadResult>> downloadByTheAgents(
      String url, String digest, String file) {
    List<CompletableFuture<DownloadResult>> downloads = new ArrayList<>();
    for (int i = 1; i < agents.size(); i++) {
      Path out = dir.resolve("downloads").resolve(specs.get(i).hostId()).resolve(file);
      downloads.add(
          agents
              .get(i)
              .download(DownloadRequest.of(url, out).withDigest(digest), new DownloadProgress()));
    }
    return downloads;
  }

  private static HttpResponse<String> postJson(String url, String json)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Optional<JsonNode> task(JsonNode tasks, String taskId) {
    return stream(tasks.path("tasks"))
        .filter(t -> t.path("task_id").asText().equals(taskId))
        .findFirst();
  }

  private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
    return java.util.stream.StreamSupport.stream(array.spliterator(), false);
  }

  @Test
  void schedulerMetricsMoveByExactlyWhatAKnownSequenceOfEventsImplies() throws Exception {
    // hosts by liveness: the three agents, all ONLINE
    String ingestMetrics = get(swarm.ingestUrl() + "/metrics").body();
    assertThat(sample(ingestMetrics, "swarmsched_hosts", "liveness=\"ONLINE\"")).isEqualTo(3.0);
    assertThat(sample(ingestMetrics, "swarmsched_hosts", "liveness=\"SUSPICIOUS\"")).isEqualTo(0.0);
    assertThat(sample(ingestMetrics, "swarmsched_hosts", "liveness=\"OFFLINE\"")).isEqualTo(0.0);

    // one request that must go back to source: one decision, one timed request, one more peer at
    // the source
    String before = get(swarm.dispatcherUrl() + "/metrics").body();
    double decisions =
        sample(
            before,
            "swarmsched_decisions_total",
            "outcome=\"BACK_TO_SOURCE\"",
            "policy=\"load-aware\"",
            "reason=\"NEED_BACK_TO_SOURCE\"");
    double timed = sample(before, "swarmsched_decision_latency_seconds_count");
    double atSource = sample(before, "swarmsched_back_to_source_peers");
    String task = "metrics-" + UUID.randomUUID();
    HttpResponse<String> decided =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(swarm.dispatcherUrl() + "/api/v1/schedule?wait=20s"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(
                            Map.of(
                                "task_id",
                                task,
                                "peer_id",
                                task + "-p",
                                "host_id",
                                "metrics-client",
                                "url",
                                "http://origin.invalid/x",
                                "need_back_to_source",
                                true))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
    assertThat(JSON.readTree(decided.body()).path("outcome").asText()).isEqualTo("BACK_TO_SOURCE");
    Await.until(
        WAIT,
        "the dispatcher's metrics to count the decision",
        () -> {
          String after = body(swarm.dispatcherUrl() + "/metrics");
          return sample(
                      after,
                      "swarmsched_decisions_total",
                      "outcome=\"BACK_TO_SOURCE\"",
                      "policy=\"load-aware\"",
                      "reason=\"NEED_BACK_TO_SOURCE\"")
                  == decisions + 1
              && sample(after, "swarmsched_decision_latency_seconds_count") == timed + 1
              && sample(after, "swarmsched_back_to_source_peers") == atSource + 1;
        });
    String after = get(swarm.dispatcherUrl() + "/metrics").body();
    assertThat(after)
        .contains(
            "swarmsched_decision_latency_seconds_bucket{le=\"0.001\"}",
            "# TYPE swarmsched_decision_latency_seconds histogram");

    // one undeserializable heartbeat: one dead letter at stage heartbeat-deserialize
    double dead =
        sample(ingestMetrics, "swarmsched_dead_letters_total", "stage=\"heartbeat-deserialize\"");
    sendGarbageHeartbeat("metrics-bad-host");
    Await.until(
        WAIT,
        "heartbeat-ingest to count the dead letter",
        () ->
            sample(
                    body(swarm.ingestUrl() + "/metrics"),
                    "swarmsched_dead_letters_total",
                    "stage=\"heartbeat-deserialize\"")
                == dead + 1);
    JsonNode letters =
        JSON.readTree(get(swarm.ingestUrl() + "/api/v1/dead-letters?limit=5").body());
    assertThat(letters.path("dead_letters").get(0).path("stage").asText())
        .isEqualTo("heartbeat-deserialize");
    assertThat(letters.path("dead_letters").get(0).path("key").asText())
        .isEqualTo("metrics-bad-host");
    assertThat(letters.path("dead_letters").get(0).path("source_topic").asText())
        .isEqualTo(Topics.HOST_HEARTBEATS.name());
  }

  @Test
  void inChromiumThePageShowsTheHostsADownloadsDagCompletingAndADeadLetter() throws Exception {
    Optional<Path> chromium = HeadlessChromium.executable();
    Assumptions.assumeTrue(
        chromium.isPresent(),
        "SKIPPED: no Chromium found (/usr/bin/chromium; install Debian's `chromium` or set $CHROMIUM): the browser test "
            + "did not run; theDashboardServesItsPageAndForwardsOnlyReadsToTheServices covers the APIs the page reads");
    Files.createDirectories(SCREENSHOTS);
    long size = 6L << 20;
    String digest = SwarmDemo.generate(dir.resolve("origin").resolve("browser.bin"), size);
    String url = origin.url("browser.bin");
    String taskId = TaskIds.of(url, digest, "");
    try (HeadlessChromium browser =
        HeadlessChromium.start(
            chromium.get(), dir.resolve("chromium-profile"), SCREENSHOTS.resolve("chromium.log"))) {
      browser.navigate(swarm.dashboardUrl());
      browser.await(
          "three ONLINE hosts with their scores",
          """
          (() => { const rows = [...document.querySelectorAll('#hosts tbody tr[data-host]')];
                   return rows.length === 3 && rows.every(r => r.dataset.liveness === 'ONLINE')
                       && rows.every(r => r.querySelector('[data-score]').dataset.score !== ''); })()""",
          WAIT);
      assertThat(
              browser
                  .eval(
                      "document.querySelector('#hosts tr[data-type=\"SUPER_SEED\"]').dataset.host")
                  .asText())
          .isEqualTo("seed-0");
      browser.screenshot(SCREENSHOTS.resolve("1-hosts.png"));

      List<CompletableFuture<DownloadResult>> downloads =
          downloadByTheAgents(url, digest, "browser.bin");
      String task = "document.querySelector('.task[data-task=\"" + taskId + "\"]')";
      browser.await(
          "the download's DAG",
          "(() => { const t = "
              + task
              + "; return !!t && t.querySelectorAll('g.peer:not(.origin)').length >= 2; })()",
          WAIT);
      browser.screenshot(SCREENSHOTS.resolve("2-dag-appears.png"));
      for (CompletableFuture<DownloadResult> d : downloads) {
        d.get(3, TimeUnit.MINUTES);
      }
      browser.await(
          "every peer of the download SUCCEEDED",
          "(() => { const t = "
              + task
              + ";"
              + " if (!t) return false; const peers = [...t.querySelectorAll('g.peer:not(.origin)')];"
              + " return peers.length === 3 && peers.every(p => p.dataset.state === 'SUCCEEDED'); })()",
          WAIT);
      JsonNode hosts =
          browser.eval(
              "[...document.querySelectorAll('.task[data-task=\""
                  + taskId
                  + "\"] g.peer:not(.origin)')]"
                  + ".map(p => p.dataset.host).sort()");
      assertThat(hosts)
          .extracting(JsonNode::asText)
          .containsExactly("agent-1", "agent-2", "seed-0");

      // Who served how much: a finished peer has no in-edges any more (docs/design.md, Stage 1),
      // but the edges of what it was served stay, labelled with their bytes. Every peer received
      // the whole file, summed over its edges (from parents and from the origin), and the seed,
      // which went back to source, served the agents.
      browser.await(
          "each peer's served edges adding up to the file's " + size + " bytes",
          "(() => { const t = "
              + task
              + "; const peers = [...t.querySelectorAll('g.peer:not(.origin)')];"
              + " return peers.every(p => [...t.querySelectorAll('g.edge')]"
              + ".filter(e => e.dataset.to === p.dataset.peer)"
              + ".reduce((a, e) => a + Number(e.dataset.bytes), 0) === "
              + size
              + " && Number(p.dataset.bytesReceived) === "
              + size
              + "); })()",
          WAIT);
      JsonNode edges =
          browser.eval(
              "(() => { const t = "
                  + task
                  + "; const host = id => { const n = t.querySelector('g.peer[data-peer=\"' + id"
                  + " + '\"]'); return n ? n.dataset.host : id; };"
                  + " return [...t.querySelectorAll('g.edge')].map(e => ({from: host(e.dataset.from),"
                  + " to: host(e.dataset.to), bytes: Number(e.dataset.bytes),"
                  + " label: (e.querySelector('text.served') || {}).textContent || ''})); })()");
      long servedBySeed = 0;
      for (JsonNode e : edges) {
        if (e.path("from").asText().equals("seed-0")) {
          servedBySeed += e.path("bytes").asLong();
          assertThat(e.path("to").asText()).isIn("agent-1", "agent-2");
        }
        if (e.path("bytes").asLong() > 0) {
          assertThat(e.path("label").asText()).as("edge %s", e).endsWith("B");
        }
      }
      assertThat(servedBySeed).as("bytes the seed served the agents, %s", edges).isPositive();
      assertThat(edges)
          .as("the seed fetched the file from the origin")
          .anySatisfy(
              e -> {
                assertThat(e.path("from").asText()).isEqualTo("origin");
                assertThat(e.path("to").asText()).isEqualTo("seed-0");
              });

      sendGarbageHeartbeat("browser-bad-host");
      browser.await(
          "the bad record among the dead letters",
          "[...document.querySelectorAll('#dead-letters tr[data-stage]')]"
              + ".some(r => r.dataset.stage === 'heartbeat-deserialize' && r.querySelector('.reason').textContent.length > 0)",
          WAIT);
      browser.await(
          "decisions by outcome",
          "!!document.querySelector('#decisions [data-outcome=\"PARENTS\"]')",
          WAIT);

      // a job no worker can take (no agent here runs jobs): it waits in the queue, and the page's
      // job table and queue count show it
      HttpResponse<String> submitted =
          postJson(
              swarm.dispatcherUrl() + "/api/v1/jobs",
              "{\"job_id\":\"browser-job\",\"required_tags\":[\"no-such-worker\"],"
                  + "\"payload\":\"true\",\"priority\":7}");
      assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
      browser.await(
          "the queued job in the jobs table",
          "(() => { const r = document.querySelector('#jobs tr[data-job=\"browser-job\"]');"
              + " return !!r && r.dataset.state === 'QUEUED'"
              + " && Number(document.getElementById('jobs-queued').dataset.value) >= 1; })()",
          WAIT);
      browser.screenshot(SCREENSHOTS.resolve("3-complete.png"));
    }
  }

  @Test
  void everyMetricTheGrafanaDashboardQueriesIsExportedBySomeService() throws Exception {
    Path grafana = repositoryRoot().resolve("docker/grafana/dashboards/swarmsched.json");
    Set<String> queried = new TreeSet<>();
    for (JsonNode panel : JSON.readTree(grafana.toFile()).path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        queried.addAll(metricNames(target.path("expr").asText()));
      }
    }
    assertThat(queried)
        .as("metric names in %s", grafana)
        .contains(
            "swarmsched_decisions_total",
            "swarmsched_decision_latency_seconds_bucket",
            "swarmsched_back_to_source_peers",
            "swarmsched_hosts",
            "swarmsched_dead_letters_total",
            "swarmsched_jobs_queued",
            "swarmsched_jobs_running",
            "swarmsched_workers",
            "swarmsched_jobs_completed_total",
            "swarmsched_jobs_failed_total",
            "swarmsched_job_placement_latency_seconds_bucket");

    // counters appear with their first event: one decision, one dead letter, one job that fails
    // at once (no worker has its tag and it may not queue)
    HttpResponse<String> failedJob =
        postJson(
            swarm.dispatcherUrl() + "/api/v1/jobs",
            "{\"job_id\":\"grafana-job-"
                + UUID.randomUUID()
                + "\",\"required_tags\":[\"no-such-worker\"],"
                + "\"payload\":\"true\",\"no_queue\":true}");
    assertThat(failedJob.statusCode()).as(failedJob.body()).isBetween(200, 299);
    HttpResponse<String> decided =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(swarm.dispatcherUrl() + "/api/v1/schedule?wait=20s"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(
                            Map.of(
                                "task_id",
                                "grafana-" + UUID.randomUUID(),
                                "peer_id",
                                "p",
                                "host_id",
                                "grafana-client",
                                "url",
                                "http://origin.invalid/g",
                                "need_back_to_source",
                                true))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
    sendGarbageHeartbeat("grafana-bad-host");
    List<String> services =
        List.of(swarm.ingestUrl(), swarm.scoringUrl(), swarm.dispatcherUrl(), swarm.registryUrl());
    Set<String> missing = new TreeSet<>(queried);
    Await.until(
        WAIT,
        "every metric the Grafana dashboard queries in some service's /metrics",
        () -> {
          Set<String> exported = new TreeSet<>();
          services.forEach(url -> exported.addAll(exportedNames(body(url + "/metrics"))));
          missing.clear();
          missing.addAll(queried);
          missing.removeAll(exported);
          return missing.isEmpty();
        });
    assertThat(missing).as("queried by Grafana but exported by no service").isEmpty();
  }

  @Test
  void metricNamesAreReadFromPromqlWithoutFunctionsLabelsOrRanges() {
    assertThat(
            metricNames(
                "histogram_quantile(0.99, sum by (le) (rate(swarmsched_decision_latency_seconds_bucket[5m])))"))
        .containsExactly("swarmsched_decision_latency_seconds_bucket");
    assertThat(
            metricNames(
                "sum by (job) (jvm_memory_used_bytes{area=\"heap\", job=~\"a|b\"}) / on (job) up"))
        .containsExactlyInAnyOrder("jvm_memory_used_bytes", "up");
  }

  // ---------------------------------------------------------------- helpers

  private static final Set<String> PROMQL_WORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "and",
          "or",
          "unless",
          "offset",
          "bool");

  /**
   * Metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or
   * durations.
   */
  static Set<String> metricNames(String expr) {
    String e =
        expr.replaceAll("\\{[^}]*\\}", " ") // label matchers
            .replaceAll("\\[[^\\]]*\\]", " ") // range selectors
            .replaceAll(
                "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)",
                " ") // label lists
            .replaceAll("\"[^\"]*\"", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(e);
    while (m.find()) {
      if (m.group(2) == null && !PROMQL_WORDS.contains(m.group(1))) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** Sample names in Prometheus text (histograms give _bucket, _count and _sum). */
  static Set<String> exportedNames(String metrics) {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(metrics);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("the repository root (a parent with docker-compose.yml)").isNotNull();
    return dir;
  }

  private static void sendGarbageHeartbeat(String key) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, swarm.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      // not the Confluent wire format (no magic byte 0): heartbeat-ingest cannot deserialize it
      producer
          .send(
              new ProducerRecord<>(
                  Topics.HOST_HEARTBEATS.name(),
                  key.getBytes(StandardCharsets.UTF_8),
                  "this is not an Avro heartbeat".getBytes(StandardCharsets.UTF_8)))
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static int onlineHosts() {
    return json(swarm.ingestUrl() + "/api/v1/hosts?liveness=ONLINE")
        .map(h -> h.path("hosts").size())
        .orElse(0);
  }

  /**
   * The value of the one sample of {@code name} whose labels include all of {@code labels}; 0 when
   * there is none.
   */
  static double sample(String metrics, String name, String... labels) {
    double found = 0;
    int matches = 0;
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{([^}]*)\\})?\\s+(\\S+)")
            .matcher(metrics);
    while (m.find()) {
      String have = m.group(2) == null ? "" : m.group(2);
      boolean all = true;
      for (String l : labels) {
        all &= have.contains(l);
      }
      if (all) {
        found = Double.parseDouble(m.group(3));
        matches++;
      }
    }
    assertThat(matches).as("samples of %s%s", name, List.of(labels)).isLessThanOrEqualTo(1);
    return found;
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String body(String url) {
    try {
      return get(url).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static Optional<JsonNode> json(String url) {
    try {
      HttpResponse<String> r = get(url);
      return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
