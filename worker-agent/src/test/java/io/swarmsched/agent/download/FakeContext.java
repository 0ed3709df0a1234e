package io.swarmsched.agent.download;

import io.swarmsched.agent.AgentConfig;
import io.swarmsched.agent.origin.OriginClient;
import io.swarmsched.agent.server.ParentClient;
import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.TaskMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * An agent without a broker, for download tests: the test answers schedule requests and reads the
 * events.
 */
final class FakeContext implements DownloadContext {
  private final AgentConfig config;
  private final OriginClient origin;
  private final ParentClient parents;
  private final Function<ScheduleRequest, ScheduleDecision> dispatcher;
  final List<ScheduleRequest> requests = new CopyOnWriteArrayList<>();
  final List<PeerEvent> peerEvents = new CopyOnWriteArrayList<>();
  final List<PieceEvent> pieceEvents = new CopyOnWriteArrayList<>();
  final AtomicReference<TaskMetadata> metadata = new AtomicReference<>();
  final List<TaskMetadata> published = new CopyOnWriteArrayList<>();
  final Set<String> sources = ConcurrentHashMap.newKeySet();

  FakeContext(
      Path dataDir,
      int pieceLength,
      Map<String, String> overrides,
      Function<ScheduleRequest, ScheduleDecision> dispatcher) {
    Map<String, String> m = new HashMap<>();
    m.put(AgentConfig.HOST_ID, "child-host");
    m.put(AgentConfig.DATA_DIR, dataDir.toString());
    m.put(AgentConfig.PIECE_LENGTH, Integer.toString(pieceLength));
    m.put(AgentConfig.PARENT_STALL_TIMEOUT, "5s");
    m.put(AgentConfig.MAX_RESCHEDULES, "2");
    m.putAll(overrides);
    this.config = AgentConfig.from(Settings.of(m));
    this.origin = new OriginClient(config.requestTimeout());
    this.parents = new ParentClient(config.requestTimeout());
    this.dispatcher = dispatcher;
  }

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
    requests.add(request);
    ScheduleDecision d = dispatcher.apply(request);
    // null: a dispatcher that never answers (or not yet)
    return d == null ? new CompletableFuture<>() : CompletableFuture.completedFuture(d);
  }

  @Override
  public void publish(PeerEvent event) {
    peerEvents.add(event);
  }

  @Override
  public void publish(PieceEvent event) {
    pieceEvents.add(event);
  }

  @Override
  public void publish(TaskMetadata m) {
    published.add(m);
    metadata.set(m);
  }

  @Override
  public Optional<TaskMetadata> awaitMetadata(String taskId, Duration timeout) {
    return Optional.ofNullable(metadata.get());
  }

  @Override
  public Optional<TaskMetadata> metadata(String taskId) {
    return Optional.ofNullable(metadata.get());
  }

  @Override
  public void hold(String taskId, String peerId, PieceFile file, boolean cacheOwned) {}

  @Override
  public void servesAsSource(String taskId) {
    sources.add(taskId);
  }

  @Override
  public void completed(String taskId) {}

  @Override
  public void drop(String taskId) {}
}
