package io.swarmsched.agent;

import io.swarmsched.agent.download.DownloadContext;
import io.swarmsched.agent.download.DownloadException;
import io.swarmsched.agent.download.DownloadProgress;
import io.swarmsched.agent.download.DownloadRequest;
import io.swarmsched.agent.download.DownloadResult;
import io.swarmsched.agent.download.TaskDownload;
import io.swarmsched.agent.host.HostMetrics;
import io.swarmsched.agent.jobs.CommandExecutor;
import io.swarmsched.agent.jobs.JobOutcome;
import io.swarmsched.agent.jobs.JobRunner;
import io.swarmsched.agent.jobs.JobSpec;
import io.swarmsched.agent.origin.OriginClient;
import io.swarmsched.agent.server.HeldTasks;
import io.swarmsched.agent.server.ParentClient;
import io.swarmsched.agent.server.PieceServer;
import io.swarmsched.agent.server.UploadLoad;
import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.agent.swarm.SwarmClient;
import io.swarmsched.agent.transfer.RateMeter;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.TaskMetadata;
import io.swarmsched.topics.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer on every host: it heartbeats its host's metrics and upload load, serves the verified
 * pieces it holds, acts on the decisions addressed to its host (its own downloads' answers, seed
 * triggers, and the jobs assigned to it or cancelled), downloads through the swarm, seeds what it
 * has for a while within a disk quota, and runs jobs through its configured command.
 */
public final class Agent implements DownloadContext, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /** Reported upload capacity of a host with no configured limit: a 1 Gbit/s link. */
  static final long NOMINAL_CAPACITY = 125_000_000L;

  private final AgentConfig config;
  private final SwarmClient swarm;
  private final HostKeyPair hostKey;
  private final PieceServer pieceServer;
  private final HostMetrics metrics;
  private final OriginClient origin;
  private final ParentClient parents;
  private final ScheduledExecutorService timers;
  private final ExecutorService downloads;
  private final Map<String, HeldTask> held = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<ScheduleDecision>> pending =
      new ConcurrentHashMap<>();
  private final Set<String> seeding = ConcurrentHashMap.newKeySet();
  private final Map<String, Boolean> actedOn =
      java.util.Collections.synchronizedMap(
          new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
              return size() > 10_000;
            }
          });
  private final AtomicLong sequence;

  /** The job slots; null when the agent has no jobs command (it then advertises max_tasks 0). */
  private final JobRunner jobs;

  private final RateMeter received = new RateMeter();
  private final String hostname;

  /**
   * @param fromOrigin its copy came from the origin, so children treat it as a source
   *     (docs/design.md, "Stage 2")
   */
  private record HeldTask(
      String taskId,
      String peerId,
      PieceFile file,
      boolean cacheOwned,
      Instant completedAt,
      boolean fromOrigin) {}

  private Agent(AgentConfig config) throws IOException {
    this.config = config;
    Files.createDirectories(config.dataDir());
    this.origin = new OriginClient(config.requestTimeout());
    this.parents = new ParentClient(config.requestTimeout());
    this.metrics = new HostMetrics(config.dataDir());
    this.pieceServer =
        PieceServer.start(
            new HeldTasks() {
              @Override
              public Optional<PieceFile> find(String taskId) {
                return Optional.ofNullable(held.get(taskId)).map(HeldTask::file);
              }

              @Override
              public boolean source(String taskId) {
                HeldTask t = held.get(taskId);
                return config.type() == HostType.SUPER_SEED || (t != null && t.fromOrigin());
              }
            },
            config.bindHost(),
            config.piecePort(),
            config.uploadLimitBytesPerSec(),
            config.uploadSlots(),
            config.idc());
    this.pieceServer.originAssist(config.originAssist());
    // the host's identity: generated on first start, kept beside its data (docs/design.md,
    // "Security"); the first heartbeat binds the host id to it
    this.hostKey = HostKeyPair.loadOrCreate(config.dataDir());
    log.info("host {} signs its records with key {}", config.hostId(), hostKey.keyId());
    this.swarm =
        new SwarmClient(
            config.bootstrapServers(),
            config.schemaRegistryUrl(),
            config.hostId(),
            hostKey,
            config.kafkaSecurity() == null ? Map.of() : config.kafkaSecurity());
    // Sequences start from the wall clock so a restarted agent's heartbeats are newer than the last
    // run's.
    this.sequence = new AtomicLong(System.currentTimeMillis() * 1000);
    this.hostname = localHostname();
    this.timers =
        Executors.newScheduledThreadPool(2, r -> daemon(r, "agent-timer-" + config.hostId()));
    this.downloads =
        Executors.newCachedThreadPool(r -> daemon(r, "agent-download-" + config.hostId()));
    this.jobs =
        config.runsJobs()
            ? new JobRunner(
                new CommandExecutor(config.jobsShell(), config.jobsCommand()),
                config.maxTasks(),
                config.dataDir().resolve("jobs"),
                new JobEvents())
            : null;
  }

  /**
   * Starts an agent: its piece server, its decision reader, its heartbeats and its seeding clock.
   */
  public static Agent start(AgentConfig config) throws IOException {
    Agent agent = new Agent(config);
    try {
      agent.swarm.startMetadata();
      agent.swarm.startDecisions(agent::onDecision);
      agent.heartbeat();
      long every = config.heartbeatInterval().toMillis();
      agent.timers.scheduleAtFixedRate(
          agent::heartbeatQuietly, every, every, TimeUnit.MILLISECONDS);
      agent.timers.scheduleAtFixedRate(agent::evict, 10, 10, TimeUnit.SECONDS);
      if (agent.jobs != null) {
        agent.timers.scheduleAtFixedRate(agent::purgeJobOutputs, 1, 10, TimeUnit.MINUTES);
      }
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
    log.info("Agent {} serving pieces on {}", config.hostId(), agent.pieceServerAddress());
    log.info(
        "Security posture of agent {}: {}; piece server plain HTTP (pieces are checked against"
            + " their digests, not encrypted)",
        config.hostId(),
        io.swarmsched.runtime.config.KafkaSecurity.describe(
            config.kafkaSecurity() == null ? Map.of() : config.kafkaSecurity()));
    return agent;
  }

  public String pieceServerAddress() {
    return config.pieceServerAddress(pieceServer.port());
  }

  public UploadLoad uploadLoad() {
    return pieceServer.load();
  }

  /**
   * Downloads through the swarm. The future fails with a {@link DownloadException} naming the
   * reason.
   */
  public CompletableFuture<DownloadResult> download(
      DownloadRequest request, DownloadProgress progress) {
    String taskId = request.taskId();
    TaskDownload download =
        new TaskDownload(this, request, TaskDownload.newPeerId(config.hostId(), taskId), progress);
    CompletableFuture<DownloadResult> result = new CompletableFuture<>();
    downloads.submit(
        () -> {
          try {
            result.complete(download.run());
          } catch (InterruptedException e) {
            result.completeExceptionally(new DownloadException("interrupted"));
          } catch (Exception e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  /** Decisions read from this host's partition that were addressed to another host. */
  public long ignoredDecisions() {
    return swarm.ignoredDecisions();
  }

  /** Jobs running now on this agent. */
  public int runningJobs() {
    return jobs == null ? 0 : jobs.running();
  }

  /** The most jobs this agent ever ran at once (never above its max_tasks). */
  public int peakRunningJobs() {
    return jobs == null ? 0 : jobs.peakRunning();
  }

  /** The job capacity it advertises: max_tasks, 0 without a jobs command. */
  public int maxTasks() {
    return jobs == null ? 0 : jobs.maxTasks();
  }

  /** Tasks this agent holds (downloading or seeding). */
  public List<String> heldTasks() {
    return new ArrayList<>(held.keySet());
  }

  // ---- decisions ------------------------------------------------------------------------------

  private void onDecision(ScheduleDecision d) {
    if (actedOn.put(d.getDecisionId(), Boolean.TRUE) != null) {
      return; // already acted on (a redelivery)
    }
    if (d.getOutcome() == DecisionOutcome.SEED_TRIGGER) {
      seed(d);
      return;
    }
    if (d.getOutcome() == DecisionOutcome.ASSIGNED) {
      runJob(d);
      return;
    }
    if (d.getOutcome() == DecisionOutcome.CANCELLED) {
      if (jobs != null) {
        jobs.cancel(
            d.getTaskId(), d.getJobAttempt(), d.getReason() == null ? "cancelled" : d.getReason());
      }
      return;
    }
    CompletableFuture<ScheduleDecision> waiting = pending.remove(d.getRequestId());
    if (waiting != null) {
      waiting.complete(d);
    } else {
      log.debug(
          "Decision {} for request {} has no waiting download here",
          d.getDecisionId(),
          d.getRequestId());
    }
  }

  private void seed(ScheduleDecision trigger) {
    String taskId = trigger.getTaskId();
    if (held.containsKey(taskId) || !seeding.add(taskId)) {
      return;
    }
    if (trigger.getUrl() == null || trigger.getUrl().isEmpty()) {
      log.warn(
          "Seed trigger {} for task {} carries no URL; ignored", trigger.getDecisionId(), taskId);
      seeding.remove(taskId);
      return;
    }
    Path output = config.dataDir().resolve("tasks").resolve(taskId);
    DownloadRequest request =
        DownloadRequest.seedTrigger(
            trigger.getUrl(), output, Optional.ofNullable(trigger.getDigest()), taskId);
    log.info("Seed trigger: fetching task {} from {}", taskId, trigger.getUrl());
    download(request, new DownloadProgress())
        .whenComplete(
            (r, e) -> {
              seeding.remove(taskId);
              if (e != null) {
                log.warn("Seeding task {} failed: {}", taskId, e.getMessage());
              }
            });
  }

  // ---- jobs -----------------------------------------------------------------------------------

  /**
   * An ASSIGNED decision: the job (its id is the request's task id) runs here, unless this attempt
   * was seen before (a redelivery: nothing), every slot is busy or the agent runs no jobs (FAILED,
   * so the dispatcher frees the claim and tries elsewhere), or the job was cancelled meanwhile.
   */
  private void runJob(ScheduleDecision d) {
    String jobId = d.getTaskId();
    int attempt = d.getJobAttempt();
    if (jobs == null) {
      publishJobEvent(
          jobId,
          attempt,
          JobEventType.FAILED,
          null,
          "NO_EXECUTOR: worker "
              + config.hostId()
              + " runs no jobs (no "
              + AgentConfig.JOBS_COMMAND
              + ")");
      return;
    }
    ByteBuffer payload = d.getJobPayload();
    byte[] bytes = new byte[payload == null ? 0 : payload.remaining()];
    if (payload != null) {
      payload.duplicate().get(bytes);
    }
    Duration timeout =
        d.getJobTimeoutMs() > 0
            ? Duration.ofMillis(d.getJobTimeoutMs())
            : config.jobsDefaultTimeout();
    JobSpec spec = new JobSpec(jobId, attempt, bytes, timeout);
    switch (jobs.submit(spec)) {
      case STARTED, DUPLICATE -> {}
      case FULL ->
          publishJobEvent(
              jobId,
              attempt,
              JobEventType.FAILED,
              null,
              "WORKER_FULL: all " + jobs.maxTasks() + " slots of " + config.hostId() + " busy");
      case CANCELLED ->
          publishJobEvent(
              jobId, attempt, JobEventType.CANCELLED, null, "cancelled before it started");
    }
  }

  /** The job runner's steps as job events. */
  private final class JobEvents implements JobRunner.Lifecycle {
    @Override
    public void started(JobSpec spec) {
      publishJobEvent(spec.jobId(), spec.attempt(), JobEventType.STARTED, null, null);
    }

    @Override
    public void finished(JobSpec spec, JobOutcome o) {
      switch (o.status()) {
        case SUCCEEDED ->
            publishJobEvent(
                spec.jobId(), spec.attempt(), JobEventType.SUCCEEDED, resultRef(o), null);
        case FAILED ->
            publishJobEvent(
                spec.jobId(),
                spec.attempt(),
                JobEventType.FAILED,
                null,
                (o.timedOut() ? "TIMEOUT: " : "") + o.reason());
        case CANCELLED ->
            publishJobEvent(spec.jobId(), spec.attempt(), JobEventType.CANCELLED, null, o.reason());
      }
    }
  }

  /**
   * {@code sha256:<hex of stdout> <host id>:<path of stdout>}: what the output was, and where it is
   * kept (under the agent's data dir, jobs/JOB/ATTEMPT/stdout).
   */
  private String resultRef(JobOutcome o) {
    return o.resultRef() + " " + config.hostId() + ":" + o.output().toAbsolutePath();
  }

  private void publishJobEvent(
      String jobId, int attempt, JobEventType type, String resultRef, String reason) {
    swarm.send(
        Topics.JOB_EVENTS,
        jobId,
        JobEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setJobId(jobId)
            .setAttempt(attempt)
            .setWorkerHostId(config.hostId())
            .setType(type)
            .setResultRef(resultRef)
            .setReason(reason)
            .setTimestamp(Instant.now())
            .build());
  }

  // ---- DownloadContext ------------------------------------------------------------------------

  @Override
  public AgentConfig config() {
    return config;
  }

  @Override
  public OriginClient origin() {
    return origin;
  }

  @Override
  public ParentClient parents() {
    return parents;
  }

  @Override
  public CompletableFuture<ScheduleDecision> schedule(ScheduleRequest request) {
    CompletableFuture<ScheduleDecision> f = new CompletableFuture<>();
    // a request nobody waits on (a seed trigger's, TaskDownload) must not stay here forever when
    // its decision never comes; later than the waiters' own timeout, so theirs is what they see
    f.orTimeout(config.decisionTimeout().multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
    pending.put(request.getRequestId(), f);
    swarm.send(Topics.SCHEDULE_REQUESTS, request.getTaskId(), request);
    return f.whenComplete((d, e) -> pending.remove(request.getRequestId()));
  }

  @Override
  public void publish(PeerEvent event) {
    swarm.send(Topics.PEER_EVENTS, event.getTaskId(), event);
  }

  @Override
  public void publish(PieceEvent event) {
    if (event.getOutcome() == io.swarmsched.schemas.PieceOutcome.FINISHED) {
      received.add(event.getBytes());
    }
    swarm.send(Topics.PIECE_EVENTS, event.getTaskId(), event);
  }

  @Override
  public void publish(TaskMetadata metadata) {
    swarm.send(Topics.TASK_METADATA, metadata.getTaskId(), metadata);
  }

  @Override
  public Optional<TaskMetadata> awaitMetadata(String taskId, Duration timeout)
      throws InterruptedException {
    return swarm.awaitMetadata(taskId, timeout);
  }

  @Override
  public Optional<TaskMetadata> metadata(String taskId) {
    return swarm.metadata(taskId);
  }

  @Override
  public void hold(String taskId, String peerId, PieceFile file, boolean cacheOwned) {
    held.put(taskId, new HeldTask(taskId, peerId, file, cacheOwned, null, false));
  }

  @Override
  public void servesAsSource(String taskId) {
    held.computeIfPresent(
        taskId,
        (k, t) ->
            new HeldTask(t.taskId(), t.peerId(), t.file(), t.cacheOwned(), t.completedAt(), true));
  }

  @Override
  public void completed(String taskId) {
    held.computeIfPresent(
        taskId,
        (k, t) ->
            new HeldTask(
                t.taskId(), t.peerId(), t.file(), t.cacheOwned(), Instant.now(), t.fromOrigin()));
  }

  @Override
  public void drop(String taskId) {
    held.remove(taskId);
  }

  // ---- heartbeats and seeding -----------------------------------------------------------------

  private void heartbeatQuietly() {
    try {
      heartbeat();
    } catch (RuntimeException e) {
      log.warn("Heartbeat failed: {}", e.toString());
    }
  }

  /** Builds and publishes one heartbeat. */
  public HostHeartbeat heartbeat() {
    HostMetrics.Sample s = metrics.sample();
    UploadLoad load = pieceServer.load();
    long maxTx =
        config.uploadLimitBytesPerSec() > 0 ? config.uploadLimitBytesPerSec() : NOMINAL_CAPACITY;
    HostHeartbeat hb =
        HostHeartbeat.newBuilder()
            .setHostId(config.hostId())
            .setSequence(sequence.incrementAndGet())
            .setTimestamp(Instant.now())
            .setHostname(hostname)
            .setIp(config.advertisedHost())
            .setPieceServerAddress(pieceServerAddress())
            .setType(config.type())
            .setIdc(config.idc())
            .setLocation(config.location())
            .setTags(config.tags())
            .setDisableShared(false)
            .setCapacity(
                HostCapacity.newBuilder()
                    .setMaxTxBytesPerSec(maxTx)
                    .setMaxRxBytesPerSec(config.downloadLimitBytesPerSec())
                    .setUploadSlotLimit(config.uploadSlots())
                    .setMaxTasks(maxTasks())
                    .setCpuCores(s.cpuCores())
                    .setMemoryBytes(s.memoryBytes())
                    .setDiskBytes(s.diskBytes())
                    .setGpus(0)
                    .setGpuModels(List.of())
                    .build())
            .setLoad(
                HostLoad.newBuilder()
                    .setTxBytesPerSec(load.tx())
                    .setRxBytesPerSec(received.rate())
                    .setConcurrentUploads(load.concurrentUploads())
                    .setRunningTasks(runningJobs())
                    .setCpuUsage(s.cpuUsage())
                    .setMemoryUsedBytes(s.memoryUsedBytes())
                    .setDiskUsedBytes(s.diskUsedBytes())
                    .build())
            .setAgentVersion("0.1.0")
            .build();
    swarm.send(Topics.HOST_HEARTBEATS, config.hostId(), hb);
    return hb;
  }

  private void purgeJobOutputs() {
    try {
      int n = jobs.purgeEndedBefore(Instant.now().minus(config.jobsRetention()));
      if (n > 0) {
        log.info("Removed the outputs of {} jobs older than {}", n, config.jobsRetention());
      }
    } catch (RuntimeException e) {
      log.warn("Purging job outputs failed", e);
    }
  }

  /** Stops seeding tasks past their seeding time, then the oldest while over the disk quota. */
  void evict() {
    try {
      Instant now = Instant.now();
      List<HeldTask> done =
          held.values().stream()
              .filter(t -> t.completedAt() != null)
              .sorted(Comparator.comparing(HeldTask::completedAt))
              .toList();
      long used = held.values().stream().mapToLong(t -> t.file().layout().contentLength()).sum();
      for (HeldTask t : done) {
        boolean expired = t.completedAt().plus(config.seedTtl()).isBefore(now);
        if (expired || used > config.diskQuotaBytes()) {
          used -= t.file().layout().contentLength();
          leave(t, expired ? "seed time over" : "disk quota");
        }
      }
    } catch (RuntimeException e) {
      log.warn("Eviction failed", e);
    }
  }

  private void leave(HeldTask t, String reason) {
    held.remove(t.taskId());
    publish(
        PeerEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setTaskId(t.taskId())
            .setPeerId(t.peerId())
            .setHostId(config.hostId())
            .setType(PeerEventType.LEFT)
            .setPiecesFinished(t.file().verifiedCount())
            .setPieceCount(t.file().layout().pieceCount())
            .setContentLength(t.file().layout().contentLength())
            .setReason(reason)
            .setTimestamp(Instant.now())
            .build());
    try {
      t.file().close();
      if (t.cacheOwned()) {
        Files.deleteIfExists(t.file().path());
        Files.deleteIfExists(PieceFile.sidecarPath(t.file().path()));
      }
    } catch (IOException e) {
      log.warn("Removing task {} failed", t.taskId(), e);
    }
  }

  /** Leaves every task cleanly (peer event LEFT), then stops. */
  @Override
  public void close() {
    if (jobs != null) {
      // before the producer closes, so each killed job's FAILED event still goes out
      jobs.close();
    }
    timers.shutdownNow();
    downloads.shutdownNow();
    for (HeldTask t : new ArrayList<>(held.values())) {
      if (t.completedAt() != null) {
        leave(t, "agent shutting down");
      } else {
        held.remove(t.taskId());
      }
    }
    try {
      downloads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pieceServer.close();
    parents.close();
    // No unbounded flush: with the broker gone KafkaProducer.flush waits out delivery.timeout.ms
    // for every record; SwarmClient.close sends what it can within its own bound.
    swarm.close();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static String localHostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
