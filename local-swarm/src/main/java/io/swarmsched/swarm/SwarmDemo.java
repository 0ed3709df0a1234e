package io.swarmsched.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.agent.Agent;
import io.swarmsched.agent.download.DownloadProgress;
import io.swarmsched.agent.download.DownloadRequest;
import io.swarmsched.agent.download.DownloadResult;
import io.swarmsched.agent.download.TaskIds;
import io.swarmsched.agent.get.ProgressBar;
import io.swarmsched.agent.origin.OriginServer;
import io.swarmsched.agent.storage.Digests;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SerdeConfig;
import io.swarmsched.serde.SpecificAvroDeserializer;
import io.swarmsched.topics.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code swarmsched demo}: the whole system on one machine distributing one file. It starts the
 * embedded cluster and every service, an origin holding a generated file behind a limited egress,
 * and a swarm of agents (one a super seed) with upload limits over two IDCs; every normal agent
 * downloads the file through the swarm while the terminal shows each agent's progress; then it
 * prints the elapsed time beside the fluid lower bound, origin versus peer-to-peer bytes and the
 * decisions by outcome, and exits 0 only when every agent holds a verified copy.
 */
public final class SwarmDemo {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String FILE_NAME = "swarm-demo.bin";

  /**
   * @param uploadLimit each agent's upload limit, bytes/s
   * @param originLimit the origin's egress limit, bytes/s (0 = unlimited)
   * @param seedLeavesAfter the super seed's agent stops this long after the downloads start (the
   *     simulator's {@code seed-loss}); zero = it stays
   */
  public record Options(
      long fileSize,
      int agents,
      long uploadLimit,
      long originLimit,
      String policy,
      Path dataDir,
      int pieceLength,
      Duration timeout,
      Map<Integer, Long> uploadOverrides,
      Map<String, String> agentSettings,
      Map<String, String> serviceSettings,
      Duration seedLeavesAfter) {
    /** Every agent at {@code uploadLimit}, with the agents' default settings. */
    public Options(
        long fileSize,
        int agents,
        long uploadLimit,
        long originLimit,
        String policy,
        Path dataDir,
        int pieceLength,
        Duration timeout) {
      this(
          fileSize,
          agents,
          uploadLimit,
          originLimit,
          policy,
          dataDir,
          pieceLength,
          timeout,
          Map.of(),
          Map.of(),
          Map.of(),
          Duration.ZERO);
    }

    public Options {
      uploadOverrides = Map.copyOf(uploadOverrides);
      agentSettings = Map.copyOf(agentSettings);
      serviceSettings = Map.copyOf(serviceSettings);
      seedLeavesAfter = seedLeavesAfter == null ? Duration.ZERO : seedLeavesAfter;
    }

    /**
     * The super seed's agent stops {@code after} the downloads start, whether or not anyone has
     * finished: what it has not sent by then exists only at the origin.
     */
    public Options withSeedLeavingAfter(Duration after) {
      return with(uploadOverrides, agentSettings, serviceSettings, after);
    }

    /**
     * Every service (ingest, scoring, dispatcher) also gets {@code settings}, e.g. {@code
     * swarm.streams.max.task.idle.ms=0}.
     */
    public Options withServiceSettings(Map<String, String> settings) {
      return with(uploadOverrides, agentSettings, settings);
    }

    /**
     * Every agent also gets {@code settings} (agent keys, e.g. {@code
     * swarm.agent.origin.assist=1}), over the demo's own.
     */
    public Options withAgentSettings(Map<String, String> settings) {
      return with(uploadOverrides, settings, serviceSettings);
    }

    private Options with(
        Map<Integer, Long> overrides, Map<String, String> settings, Map<String, String> services) {
      return with(overrides, settings, services, seedLeavesAfter);
    }

    private Options with(
        Map<Integer, Long> overrides,
        Map<String, String> settings,
        Map<String, String> services,
        Duration seedLeaves) {
      return new Options(
          fileSize,
          agents,
          uploadLimit,
          originLimit,
          policy,
          dataDir,
          pieceLength,
          timeout,
          overrides,
          settings,
          services,
          seedLeaves);
    }

    /**
     * A skewed-capacity swarm: agent {@code i} (0 is the super seed) uploads at {@code limit}
     * instead of {@code uploadLimit}, as the benchmark's skewed run needs.
     */
    public Options withUploadLimit(int agent, long limit) {
      Map<Integer, Long> m = new java.util.HashMap<>(uploadOverrides);
      m.put(agent, limit);
      return with(m, agentSettings, serviceSettings);
    }

    /** Agent {@code i}'s upload limit, bytes/s. */
    public long uploadLimitOf(int agent) {
      return uploadOverrides.getOrDefault(agent, uploadLimit);
    }
  }

  /** What the demo measured; also what its caller (a test, the benchmark) reads. */
  public record Summary(
      double elapsedSeconds,
      double boundSeconds,
      long originBytes,
      long peerBytes,
      Map<DecisionOutcome, Long> decisions,
      Map<String, Long> backToSourceReasons,
      int verified,
      int agents,
      String digest,
      Map<String, Long> servedByHost,
      String seedHostId,
      long fileSize) {
    public boolean ok() {
      return verified == agents;
    }

    /** Peers that really went to the origin, from their peer events. */
    public long backToSource() {
      return backToSourceReasons.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Bytes the super seed uploaded to peers: ideally about one copy of the file, the peers carry
     * the rest.
     */
    public long seedUploadBytes() {
      return servedByHost.getOrDefault(seedHostId, 0L);
    }

    /** The seed's upload as a multiple of the file. */
    public double seedUploadFiles() {
      return fileSize > 0 ? seedUploadBytes() / (double) fileSize : Double.NaN;
    }
  }

  private SwarmDemo() {}

  /**
   * Runs the demo; the exit code is 0 when every agent holds a verified copy, 1 otherwise, 2 for
   * bad options.
   */
  public static int run(Options o, PrintStream out, PrintStream err) {
    String problem = check(o);
    if (problem != null) {
      err.println("swarmsched demo: " + problem);
      return 2;
    }
    try {
      Summary s = execute(o, out);
      return s.ok() ? 0 : 1;
    } catch (Exception e) {
      err.println("swarmsched demo: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 1;
    }
  }

  static String check(Options o) {
    if (o.agents() < 2) {
      return "--agents must be at least 2 (a super seed and one peer), was " + o.agents();
    }
    if (o.fileSize() <= 0) {
      return "--size must be positive, was " + o.fileSize();
    }
    if (o.uploadLimit() < 0 || o.originLimit() < 0) {
      return "upload and origin limits must be >= 0 (0 = unlimited)";
    }
    if (!io.swarmsched.scheduling.evaluator.Evaluators.isRegistered(o.policy())) {
      return "--policy must be one of "
          + String.join(", ", io.swarmsched.scheduling.evaluator.Evaluators.names())
          + ", was "
          + o.policy();
    }
    return null;
  }

  public static Summary execute(Options o, PrintStream out) throws Exception {
    Path data = o.dataDir().toAbsolutePath();
    // The cluster's layout (LocalSwarm.Options) plus the demo's own directories: a fresh start.
    for (String sub :
        List.of("kafka", "config", "logs", "cluster.properties", "state", "agents", "origin")) {
      deleteTree(data.resolve(sub));
    }
    Files.createDirectories(data.resolve("origin"));
    out.printf(
        Locale.ROOT,
        "swarmsched demo: %s to %d agents (1 super seed), upload limit %s/s each, origin egress %s, policy %s%n",
        ProgressBar.bytes(o.fileSize()),
        o.agents(),
        ProgressBar.bytes(o.uploadLimit()),
        o.originLimit() > 0 ? ProgressBar.bytes(o.originLimit()) + "/s" : "unlimited",
        o.policy());
    o.uploadOverrides()
        .forEach(
            (i, limit) ->
                out.printf(
                    Locale.ROOT,
                    "  agent %d uploads at %s/s instead%n",
                    i,
                    ProgressBar.bytes(limit)));
    out.println("generating the file …");
    String digest = generate(data.resolve("origin").resolve(FILE_NAME), o.fileSize());

    long phase = System.nanoTime();
    Map<String, Long> before = new java.util.LinkedHashMap<>();
    try (LocalSwarm swarm =
            LocalSwarm.start(
                LocalSwarm.Options.ephemeral(data)
                    .withPolicy(o.policy())
                    .withOverrides(o.serviceSettings()),
                out::println);
        OriginServer origin =
            OriginServer.start(data.resolve("origin"), "127.0.0.1", 0, true, o.originLimit())) {
      out.printf(
          "bootstrap %s, registry %s, dispatcher %s, origin %s%n",
          swarm.bootstrapServers(),
          swarm.registryUrl(),
          swarm.dispatcherUrl(),
          origin.url(FILE_NAME));
      out.println("dashboard " + swarm.dashboardUrl() + " (open it to watch the swarm)");
      before.put("cluster and services up (before)", (System.nanoTime() - phase) / 1_000_000);
      phase = System.nanoTime();
      List<DemoSwarmAgents.Spec> specs = DemoSwarmAgents.specs(o.agents());
      List<Agent> agents = new ArrayList<>();
      java.util.concurrent.atomic.AtomicBoolean seedLeft =
          new java.util.concurrent.atomic.AtomicBoolean();
      try {
        for (DemoSwarmAgents.Spec spec : specs) {
          agents.add(
              DemoSwarmAgents.start(
                  swarm,
                  spec,
                  data.resolve("agents"),
                  o.uploadLimitOf(agents.size()),
                  o.pieceLength(),
                  o.agentSettings()));
        }
        before.put("agents started (before)", (System.nanoTime() - phase) / 1_000_000);
        phase = System.nanoTime();
        out.println("waiting for the " + specs.size() + " agents to be ONLINE and scored …");
        awaitHosts(swarm, specs.size(), Duration.ofSeconds(90));
        before.put("agents ONLINE and scored (before)", (System.nanoTime() - phase) / 1_000_000);

        String url = origin.url(FILE_NAME);
        String taskId = TaskIds.of(url, digest, "");
        long start = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        List<DownloadProgress> progress = new ArrayList<>();
        List<CompletableFuture<DownloadResult>> results = new ArrayList<>();
        for (int i = 1; i < agents.size(); i++) {
          DownloadProgress p = new DownloadProgress();
          progress.add(p);
          Path output = data.resolve("agents").resolve(specs.get(i).hostId()).resolve(FILE_NAME);
          results.add(
              agents.get(i).download(DownloadRequest.of(url, output).withDigest(digest), p));
        }
        Thread leaving = null;
        if (!o.seedLeavesAfter().isZero()) {
          Agent seedAgent = agents.get(0);
          leaving =
              new Thread(
                  () -> {
                    try {
                      Thread.sleep(o.seedLeavesAfter().toMillis());
                    } catch (InterruptedException e) {
                      return;
                    }
                    long finished = results.stream().filter(CompletableFuture::isDone).count();
                    out.printf(
                        Locale.ROOT,
                        "[%5.1f s] the super seed %s leaves (its agent stops), %d of %d agents done%n",
                        (System.nanoTime() - start) / 1e9,
                        specs.get(0).hostId(),
                        finished,
                        results.size());
                    seedLeft.set(true);
                    seedAgent.close();
                  },
                  "seed-leaves");
          leaving.setDaemon(true);
          leaving.start();
        }
        // When the last agent held its verified copy: taken as each download ends, not when the
        // watch loop next looks (it prints once a second and made the elapsed time up to 1 s long).
        java.util.concurrent.atomic.AtomicLong lastDone =
            new java.util.concurrent.atomic.AtomicLong(start);
        for (CompletableFuture<DownloadResult> r : results) {
          r.whenComplete((ok, e) -> lastDone.accumulateAndGet(System.nanoTime(), Math::max));
        }
        watch(specs, progress, results, o, start, out);
        if (leaving != null) {
          leaving.interrupt();
          leaving.join(15_000);
        }
        double elapsed =
            ((results.stream().allMatch(CompletableFuture::isDone)
                        ? lastDone.get()
                        : System.nanoTime())
                    - start)
                / 1e9;

        int verified = 0;
        long peerBytes = 0;
        for (int i = 0; i < results.size(); i++) {
          CompletableFuture<DownloadResult> r = results.get(i);
          if (r.isDone() && !r.isCompletedExceptionally()) {
            peerBytes += r.join().peerBytes();
            if (sha256(r.join().path()).equals(digest)) {
              verified++;
            }
          } else {
            String why =
                r.isDone()
                    ? r.handle((x, e) -> e).join().getMessage()
                    : "not finished within " + o.timeout();
            out.println("  " + specs.get(i + 1).hostId() + ": " + why);
          }
        }
        Path seedCopy =
            data.resolve("agents").resolve(specs.get(0).hostId()).resolve("tasks").resolve(taskId);
        if (seedLeft.get()) {
          out.println("  " + specs.get(0).hostId() + ": left during the download (not counted)");
        } else if (Files.exists(seedCopy) && sha256(seedCopy).equals(digest)) {
          verified++;
        } else {
          out.println("  " + specs.get(0).hostId() + ": holds no verified copy");
        }
        long sumUpload = 0;
        for (int i = 0; i < o.agents(); i++) {
          sumUpload += o.uploadLimitOf(i);
        }
        double bound = FluidBound.seconds(o.fileSize(), o.agents(), o.originLimit(), 0, sumUpload);
        Map<DecisionOutcome, Long> decisions = decisions(swarm, taskId);
        Summary s =
            new Summary(
                elapsed,
                bound,
                origin.bytesServed(),
                peerBytes,
                decisions,
                backToSourceReasons(swarm, taskId),
                verified,
                seedLeft.get() ? o.agents() - 1 : o.agents(),
                digest,
                servedByHost(swarm, taskId),
                specs.get(0).hostId(),
                o.fileSize());
        print(s, o, data, swarm, out);
        String metrics = dispatcherMetrics(swarm.dispatcherUrl());
        out.println("  dispatcher inputs " + describeInputOrder(metrics));
        out.println("  decision latency  " + describeLatency(metrics));
        timeline(swarm, taskId, startMillis, specs, before).print(out);
        return s;
      } finally {
        // Agents before the services and the broker (the try's resources), each bounded.
        // (a super seed that left has closed its agent already)
        BoundedClose.all(
            "the agents",
            seedLeft.get() ? agents.subList(1, agents.size()) : agents,
            Duration.ofSeconds(10));
      }
    }
  }

  private static void watch(
      List<DemoSwarmAgents.Spec> specs,
      List<DownloadProgress> progress,
      List<CompletableFuture<DownloadResult>> results,
      Options o,
      long start,
      PrintStream out)
      throws InterruptedException {
    boolean tty = System.console() != null;
    long deadline = start + o.timeout().toNanos();
    long lastLine = 0;
    long lastDone = 0;
    long lastAt = start;
    int drawn = 0;
    while (true) {
      boolean all = results.stream().allMatch(CompletableFuture::isDone);
      long now = System.nanoTime();
      long done = progress.stream().mapToLong(p -> p.peerBytes() + p.originBytes()).sum();
      double rate = (done - lastDone) / Math.max(1e-3, (now - lastAt) / 1e9);
      if (tty) {
        StringBuilder b = new StringBuilder();
        if (drawn > 0) {
          b.append("\033[").append(drawn).append("A");
        }
        for (int i = 0; i < progress.size(); i++) {
          DemoSwarmAgents.Spec spec = specs.get(i + 1);
          b.append(
              String.format(
                  Locale.ROOT,
                  "\033[2K%-9s %-6s %s%n",
                  spec.hostId(),
                  spec.idc(),
                  ProgressBar.render(
                      io.swarmsched.agent.get.DownloadSnapshot.of(progress.get(i)), 24)));
        }
        b.append(
            String.format(
                Locale.ROOT,
                "\033[2Kswarm: %s/s, %s of %s done, %.0f s%n",
                ProgressBar.bytes((long) rate),
                ProgressBar.bytes(done),
                ProgressBar.bytes((long) progress.size() * o.fileSize()),
                (now - start) / 1e9));
        out.print(b);
        out.flush();
        drawn = progress.size() + 1;
      } else if (all || now - lastLine > TimeUnit.SECONDS.toNanos(5)) {
        long finished = results.stream().filter(CompletableFuture::isDone).count();
        StringBuilder each = new StringBuilder();
        for (int i = 0; i < progress.size(); i++) {
          DownloadProgress p = progress.get(i);
          each.append(
              String.format(
                  Locale.ROOT,
                  " %s %.0f%%",
                  specs.get(i + 1).hostId(),
                  p.totalBytes() > 0 ? 100.0 * p.doneBytes() / p.totalBytes() : 0.0));
        }
        out.printf(
            Locale.ROOT,
            "[%5.1f s] %d/%d agents done, swarm %s/s, %s of %s |%s%n",
            (now - start) / 1e9,
            finished,
            results.size(),
            ProgressBar.bytes((long) rate),
            ProgressBar.bytes(done),
            ProgressBar.bytes((long) progress.size() * o.fileSize()),
            each);
        lastLine = now;
      }
      lastDone = done;
      lastAt = now;
      if (all || now > deadline) {
        return;
      }
      try {
        // back at once when the last download ends, else at the next progress line
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
            .get(tty ? 500 : 1000, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // a failed download is reported with the results; a timeout is the next progress line
      }
    }
  }

  private static void print(Summary s, Options o, Path data, LocalSwarm swarm, PrintStream out) {
    out.println();
    out.println("summary");
    out.printf(
        Locale.ROOT,
        "  elapsed           %.1f s (fluid lower bound %.1f s, %.2fx the bound)%n",
        s.elapsedSeconds(),
        s.boundSeconds(),
        s.boundSeconds() > 0 ? s.elapsedSeconds() / s.boundSeconds() : Double.NaN);
    out.printf(
        Locale.ROOT,
        "  origin egress     %s (%.2fx the file)%n",
        ProgressBar.bytes(s.originBytes()),
        s.originBytes() / (double) o.fileSize());
    out.printf(Locale.ROOT, "  peer-to-peer      %s%n", ProgressBar.bytes(s.peerBytes()));
    StringBuilder d = new StringBuilder();
    for (DecisionOutcome outcome : DecisionOutcome.values()) {
      if (outcome != DecisionOutcome.ASSIGNED) {
        d.append(outcome).append(' ').append(s.decisions().getOrDefault(outcome, 0L)).append("  ");
      }
    }
    out.println("  decisions         " + d.toString().trim());
    StringBuilder why = new StringBuilder();
    s.backToSourceReasons()
        .forEach((r, n) -> why.append(why.length() == 0 ? " (" : ", ").append(r + " " + n));
    out.println(
        "  back-to-source    "
            + s.backToSource()
            + " peer(s) fetched from the origin"
            + (why.length() == 0 ? "" : why + ")"));
    long served = s.servedByHost().values().stream().mapToLong(Long::longValue).sum();
    StringBuilder by = new StringBuilder();
    s.servedByHost().entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            e ->
                by.append(
                    String.format(
                        Locale.ROOT,
                        "%s %.0f%%  ",
                        e.getKey(),
                        100.0 * e.getValue() / Math.max(1, served))));
    out.println("  served by         " + by.toString().trim());
    out.printf(
        Locale.ROOT,
        "  seed upload       %s (%.2fx the file)%n",
        ProgressBar.bytes(s.seedUploadBytes()),
        s.seedUploadFiles());
    out.printf(
        Locale.ROOT, "  verified copies   %d/%d (%s)%n", s.verified(), s.agents(), s.digest());
    out.println("  data              " + data);
    out.println(
        "  logs              " + data.resolve("swarmsched.log") + " and " + swarm.logsDir());
    out.println(
        s.ok()
            ? "OK: every agent holds a verified copy"
            : "FAILED: not every agent holds a verified copy");
  }

  /** Waits until ingest lists every agent ONLINE and scoring has a score for each. */
  private static void awaitHosts(LocalSwarm swarm, int count, Duration timeout)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    int online = 0;
    int scored = 0;
    while (System.nanoTime() < deadline) {
      online = countJson(http, swarm.ingestUrl() + "/api/v1/hosts?liveness=ONLINE");
      scored = countJson(http, swarm.scoringUrl() + "/api/v1/scores?top=1000");
      if (online >= count && scored >= count) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IOException(
        "only "
            + online
            + " of "
            + count
            + " agents became ONLINE and "
            + scored
            + " were scored within "
            + timeout.toSeconds()
            + " s");
  }

  private static int countJson(HttpClient http, String url) throws InterruptedException {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return 0;
      }
      JsonNode n = JSON.readTree(r.body());
      if (n.isArray()) {
        return n.size();
      }
      for (String field : List.of("hosts", "scores", "items")) {
        if (n.path(field).isArray()) {
          return n.path(field).size();
        }
      }
      return 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The dispatcher's /metrics, or a comment line saying why not. */
  static String dispatcherMetrics(String dispatcherUrl) {
    try {
      java.net.http.HttpResponse<String> r =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(dispatcherUrl + "/metrics"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "# /metrics answered " + r.statusCode();
    } catch (java.io.IOException e) {
      return "# /metrics: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "# interrupted";
    }
  }

  /** Request to terminal decision ({@code swarmsched_decision_latency_seconds}): mean and max. */
  static String describeLatency(String metrics) {
    double count = sample(metrics, "swarmsched_decision_latency_seconds_count");
    double sum = sample(metrics, "swarmsched_decision_latency_seconds_sum");
    double max = sample(metrics, "swarmsched_decision_latency_seconds_max");
    if (Double.isNaN(count) || Double.isNaN(sum) || count == 0) {
      return "(not in /metrics)";
    }
    return String.format(
        Locale.ROOT,
        "mean %.0f ms, max %.0f ms over %d requests (request timestamp to terminal decision)",
        1000 * sum / count,
        Double.isNaN(max) ? 0.0 : 1000 * max,
        (long) count);
  }

  /**
   * The dispatcher's input records by timestamp order ({@code swarmsched_dispatch_inputs_total},
   * {@code swarmsched_dispatch_input_behind_milliseconds_max}).
   */
  static String describeInputOrder(String metrics) {
    long inOrder = 0;
    long behind = 0;
    Map<String, long[]> byTopic = new java.util.TreeMap<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "(?m)^swarmsched_dispatch_inputs_total\\{order=\"(in_order|behind)\",topic=\"([^\"]*)\"\\} ([0-9.eE+]+)$")
            .matcher(metrics);
    boolean any = false;
    while (m.find()) {
      any = true;
      long n = (long) Double.parseDouble(m.group(3));
      boolean late = m.group(1).equals("behind");
      byTopic.computeIfAbsent(m.group(2), k -> new long[2])[late ? 1 : 0] += n;
      if (late) {
        behind += n;
      } else {
        inOrder += n;
      }
    }
    if (!any) {
      return "(not in /metrics)";
    }
    double max = sample(metrics, "swarmsched_dispatch_input_behind_milliseconds_max");
    double sum = sample(metrics, "swarmsched_dispatch_input_behind_milliseconds_sum");
    StringBuilder topics = new StringBuilder();
    byTopic.forEach(
        (topic, n) ->
            topics
                .append(topics.length() == 0 ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s %,d/%,d", topic, n[1], n[0] + n[1])));
    return String.format(
        Locale.ROOT,
        "%,d in timestamp order, %,d behind the stream time (%.2f%%; mean %.0f ms, max %.0f ms; behind/all: %s)",
        inOrder,
        behind,
        inOrder + behind == 0 ? 0.0 : 100.0 * behind / (inOrder + behind),
        behind == 0 ? 0.0 : sum / behind,
        Double.isNaN(max) ? 0.0 : max,
        topics);
  }

  private static double sample(String metrics, String name) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return Double.NaN;
  }

  /**
   * Every decision about the task, by outcome (a decision repeated for a request id seen again
   * counts once).
   */
  private static Map<DecisionOutcome, Long> decisions(LocalSwarm swarm, String taskId) {
    Map<DecisionOutcome, Long> counts = new EnumMap<>(DecisionOutcome.class);
    java.util.Set<String> seen = new java.util.HashSet<>();
    readTask(
        swarm,
        Topics.SCHEDULE_DECISIONS.name(),
        ScheduleDecision.class,
        taskId,
        ScheduleDecision::getTaskId,
        (at, d) -> {
          if (seen.add(d.getDecisionId())) {
            counts.merge(d.getOutcome(), 1L, Long::sum);
          }
        });
    return counts;
  }

  /** The milestones of the run, from the topics (see {@link DemoTimeline}). */
  private static DemoTimeline timeline(
      LocalSwarm swarm,
      String taskId,
      long startMillis,
      List<DemoSwarmAgents.Spec> specs,
      Map<String, Long> before) {
    java.util.Set<String> children = new java.util.HashSet<>();
    specs.subList(1, specs.size()).forEach(c -> children.add(c.hostId()));
    DemoTimeline t = new DemoTimeline(startMillis, specs.get(0).hostId(), children);
    before.forEach(t::before);
    readTask(
        swarm,
        Topics.SCHEDULE_REQUESTS.name(),
        io.swarmsched.schemas.ScheduleRequest.class,
        taskId,
        io.swarmsched.schemas.ScheduleRequest::getTaskId,
        t::request);
    readTask(
        swarm,
        Topics.SCHEDULE_DECISIONS.name(),
        ScheduleDecision.class,
        taskId,
        ScheduleDecision::getTaskId,
        t::decision);
    readTask(
        swarm,
        Topics.PIECE_EVENTS.name(),
        PieceEvent.class,
        taskId,
        PieceEvent::getTaskId,
        t::piece);
    readTask(
        swarm, Topics.PEER_EVENTS.name(), PeerEvent.class, taskId, PeerEvent::getTaskId, t::peer);
    return t;
  }

  /**
   * How many peers went back to source for each reason their peer event gave (SEED_TRIGGER,
   * COPY_LOST, NO_SEED, ...), each peer once.
   */
  private static Map<String, Long> backToSourceReasons(LocalSwarm swarm, String taskId) {
    Map<String, String> peers = new java.util.HashMap<>();
    readTask(
        swarm,
        Topics.PEER_EVENTS.name(),
        PeerEvent.class,
        taskId,
        PeerEvent::getTaskId,
        (at, e) -> {
          if (e.getType() == PeerEventType.BACK_TO_SOURCE) {
            peers.putIfAbsent(e.getPeerId(), e.getReason() == null ? "" : e.getReason());
          }
        });
    Map<String, Long> m = new java.util.TreeMap<>();
    peers.values().forEach(r -> m.merge(r.isEmpty() ? "?" : r, 1L, Long::sum));
    return m;
  }

  /** Bytes each host served to its children, from the piece events of the task. */
  private static Map<String, Long> servedByHost(LocalSwarm swarm, String taskId) {
    Map<String, Long> served = new java.util.TreeMap<>();
    readTask(
        swarm,
        Topics.PIECE_EVENTS.name(),
        PieceEvent.class,
        taskId,
        PieceEvent::getTaskId,
        (at, e) -> {
          if (e.getOutcome() == PieceOutcome.FINISHED
              && e.getSource() == PieceSource.PARENT
              && e.getParentHostId() != null) {
            served.merge(e.getParentHostId(), e.getBytes(), Long::sum);
          }
        });
    return served;
  }

  /** Reads a topic from its beginning to its current end, passing on the records of one task. */
  private static <T extends org.apache.avro.specific.SpecificRecord> void readTask(
      LocalSwarm swarm,
      String topic,
      Class<T> type,
      String taskId,
      java.util.function.Function<T, String> taskOf,
      java.util.function.BiConsumer<Long, T> sink) {
    Map<String, Object> c =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, swarm.bootstrapServers(),
            SerdeConfig.SCHEMA_REGISTRY_URL, swarm.registryUrl(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    SpecificAvroDeserializer<T> d = new SpecificAvroDeserializer<>(type);
    d.configure(c, false);
    try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(c, new StringDeserializer(), d)) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline
          && parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null && taskId.equals(taskOf.apply(r.value()))) {
            sink.accept(r.timestamp(), r.value());
          }
        }
      }
    }
  }

  static String generate(Path file, long size) throws IOException {
    MessageDigest md = Digests.sha256();
    SplittableRandom random = new SplittableRandom(size);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      long left = size;
      while (left > 0) {
        int n = (int) Math.min(chunk.length, left);
        for (int i = 0; i < n; i += 8) {
          long v = random.nextLong();
          for (int j = 0; j < 8 && i + j < n; j++) {
            chunk[i + j] = (byte) (v >>> (8 * j));
          }
        }
        out.write(chunk, 0, n);
        md.update(chunk, 0, n);
        left -= n;
      }
    }
    return Digests.SHA256_PREFIX + HexFormat.of().formatHex(md.digest());
  }

  static String sha256(Path file) throws IOException {
    MessageDigest md = Digests.sha256();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return Digests.SHA256_PREFIX + HexFormat.of().formatHex(md.digest());
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
