package io.swarmsched.ingest.topology;

import io.swarmsched.ingest.liveness.HeartbeatOrder;
import io.swarmsched.ingest.liveness.HostStates;
import io.swarmsched.ingest.liveness.LivenessPatrol;
import io.swarmsched.ingest.liveness.LivenessPolicy;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds valid heartbeats into the host store and publishes each host's new state when it says
 * something new; a wall-clock punctuator patrols the hosts and publishes liveness transitions and
 * tombstones. A thin adapter: ordering lives in {@link HeartbeatOrder}, transitions in {@link
 * LivenessPatrol}, what counts as new in {@link HostStates#differsBeyondRecency}.
 *
 * <p>Reads go to the task's {@link HostTable} (decoded, rebuilt from the store in {@link #init});
 * writes go to the store first, so the changelog, and with it restarts, sees every accepted
 * heartbeat: one {@link StoredHost} (state and heard time) per heartbeat, one changelog record.
 * What is no longer done per heartbeat: decoding the stored state, and encoding and sending a
 * swarm.hosts.v1 record that would differ from the last one only in {@code last_sequence} and
 * {@code last_seen} — such a heartbeat is published only once the host's last publication is {@code
 * publishRefresh} old (so readers' {@code last_seen} is never staler than that), and counted in
 * {@link IngestTopology#METRIC_UNPUBLISHED} otherwise.
 */
final class HostStateProcessor implements Processor<String, HostHeartbeat, String, HostState> {
  private static final Logger log = LoggerFactory.getLogger(HostStateProcessor.class);

  private final LivenessPatrol patrol;
  private final Duration patrolInterval;
  private final long publishRefreshMs;
  private final HostTables tables;
  private ProcessorContext<String, HostState> context;
  private KeyValueStore<String, StoredHost> hosts;
  private HostTable table;
  private Sensor staleSensor;
  private Sensor duplicateSensor;
  private Sensor unpublishedSensor;
  private Cancellable punctuation;

  HostStateProcessor(
      LivenessPolicy policy, Duration patrolInterval, Duration publishRefresh, HostTables tables) {
    this.patrol = new LivenessPatrol(policy);
    this.patrolInterval = patrolInterval;
    this.publishRefreshMs = publishRefresh.toMillis();
    this.tables = tables;
  }

  @Override
  public void init(ProcessorContext<String, HostState> context) {
    this.context = context;
    this.hosts = context.getStateStore(IngestTopology.HOST_STORE);
    // Streams initialises processors after it restored the stores: the table is what they hold
    this.table = tables.load(context.taskId(), hosts);
    log.debug("task {}: {} hosts loaded from the stores", context.taskId(), table.size());
    String task = context.taskId().toString();
    this.staleSensor =
        context
            .metrics()
            .addRateTotalSensor(
                IngestTopology.METRIC_SCOPE,
                task,
                IngestTopology.METRIC_STALE,
                Sensor.RecordingLevel.INFO);
    this.duplicateSensor =
        context
            .metrics()
            .addRateTotalSensor(
                IngestTopology.METRIC_SCOPE,
                task,
                IngestTopology.METRIC_DUPLICATE,
                Sensor.RecordingLevel.INFO);
    this.unpublishedSensor =
        context
            .metrics()
            .addRateTotalSensor(
                IngestTopology.METRIC_SCOPE,
                task,
                IngestTopology.METRIC_UNPUBLISHED,
                Sensor.RecordingLevel.INFO);
    this.punctuation =
        context.schedule(patrolInterval, PunctuationType.WALL_CLOCK_TIME, this::patrol);
  }

  @Override
  public void process(Record<String, HostHeartbeat> record) {
    HostHeartbeat heartbeat = record.value();
    String hostId = heartbeat.getHostId();
    HostTable.Entry entry = table.get(hostId);
    HostState known = entry == null ? null : entry.state;
    switch (HeartbeatOrder.of(heartbeat, known)) {
      case STALE -> {
        staleSensor.record();
        log.debug(
            "dropped stale heartbeat of {} (sequence {} < {})",
            hostId,
            heartbeat.getSequence(),
            known.getLastSequence());
      }
      case DUPLICATE -> duplicateSensor.record();
      case NEWER -> {
        long now = context.currentSystemTimeMs();
        HostState state = HostStates.apply(heartbeat, known, Instant.ofEpochMilli(now));
        hosts.put(hostId, new StoredHost(state, now));
        // after a restart the last publication is not known: publish, so readers are current
        boolean publish =
            entry == null
                || !entry.publishedKnown()
                || now - entry.publishedAtMs >= publishRefreshMs
                || HostStates.differsBeyondRecency(known, state);
        if (entry == null) {
          entry = table.add(hostId);
        }
        entry.state = state;
        entry.heardMs = now;
        if (publish) {
          entry.publishedAtMs = now;
          context.forward(new Record<>(hostId, state, record.timestamp()));
        } else {
          unpublishedSensor.record();
        }
      }
    }
  }

  /** Collects verdicts first, then writes: the table must not change under its own iteration. */
  private void patrol(long nowMs) {
    List<KeyValue<String, LivenessPatrol.Verdict>> changes = new ArrayList<>();
    for (Map.Entry<String, HostTable.Entry> e : table.entries()) {
      HostTable.Entry host = e.getValue();
      LivenessPatrol.Verdict verdict = patrol.check(host.state, host.heardMs, nowMs);
      if (!(verdict instanceof LivenessPatrol.Unchanged)) {
        changes.add(KeyValue.pair(e.getKey(), verdict));
      }
    }
    for (KeyValue<String, LivenessPatrol.Verdict> change : changes) {
      if (change.value instanceof LivenessPatrol.Transition t) {
        HostTable.Entry host = table.get(change.key);
        hosts.put(change.key, new StoredHost(t.state(), host.heardMs));
        host.state = t.state();
        host.publishedAtMs = nowMs;
        context.forward(new Record<>(change.key, t.state(), nowMs));
        log.debug("host {} {} -> {}", change.key, t.from(), t.state().getLiveness());
      } else if (change.value instanceof LivenessPatrol.Expire) {
        hosts.delete(change.key);
        table.remove(change.key);
        context.forward(new Record<String, HostState>(change.key, null, nowMs));
        log.debug(
            "host {} offline longer than {}; tombstoned", change.key, patrol.policy().offlineTtl());
      }
    }
  }

  @Override
  public void close() {
    if (punctuation != null) {
      punctuation.cancel();
    }
    if (context != null) {
      context.metrics().removeSensor(staleSensor);
      context.metrics().removeSensor(duplicateSensor);
      context.metrics().removeSensor(unpublishedSensor);
      tables.release(context.taskId(), table);
    }
  }
}
