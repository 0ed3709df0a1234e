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
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds valid heartbeats into the host store and publishes each host's new state; a wall-clock
 * punctuator patrols the store and publishes liveness transitions and tombstones. A thin adapter:
 * ordering lives in {@link HeartbeatOrder}, transitions in {@link LivenessPatrol}.
 */
final class HostStateProcessor implements Processor<String, HostHeartbeat, String, HostState> {
  private static final Logger log = LoggerFactory.getLogger(HostStateProcessor.class);

  private final LivenessPatrol patrol;
  private final Duration patrolInterval;
  private ProcessorContext<String, HostState> context;
  private KeyValueStore<String, HostState> hosts;
  private KeyValueStore<String, Long> lastHeard;
  private Sensor staleSensor;
  private Sensor duplicateSensor;
  private Cancellable punctuation;

  HostStateProcessor(LivenessPolicy policy, Duration patrolInterval) {
    this.patrol = new LivenessPatrol(policy);
    this.patrolInterval = patrolInterval;
  }

  @Override
  public void init(ProcessorContext<String, HostState> context) {
    this.context = context;
    this.hosts = context.getStateStore(IngestTopology.HOST_STORE);
    this.lastHeard = context.getStateStore(IngestTopology.LAST_HEARD_STORE);
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
    this.punctuation =
        context.schedule(patrolInterval, PunctuationType.WALL_CLOCK_TIME, this::patrol);
  }

  @Override
  public void process(Record<String, HostHeartbeat> record) {
    HostHeartbeat heartbeat = record.value();
    String hostId = heartbeat.getHostId();
    HostState known = hosts.get(hostId);
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
        hosts.put(hostId, state);
        lastHeard.put(hostId, now);
        context.forward(new Record<>(hostId, state, record.timestamp()));
      }
    }
  }

  /** Collects verdicts first, then writes: a RocksDB iterator must not see its own writes. */
  private void patrol(long nowMs) {
    List<KeyValue<String, LivenessPatrol.Verdict>> changes = new ArrayList<>();
    try (KeyValueIterator<String, HostState> all = hosts.all()) {
      while (all.hasNext()) {
        KeyValue<String, HostState> entry = all.next();
        Long heard = lastHeard.get(entry.key);
        long heardMs = heard != null ? heard : entry.value.getLivenessChangedAt().toEpochMilli();
        LivenessPatrol.Verdict verdict = patrol.check(entry.value, heardMs, nowMs);
        if (!(verdict instanceof LivenessPatrol.Unchanged)) {
          changes.add(KeyValue.pair(entry.key, verdict));
        }
      }
    }
    for (KeyValue<String, LivenessPatrol.Verdict> change : changes) {
      if (change.value instanceof LivenessPatrol.Transition t) {
        hosts.put(change.key, t.state());
        context.forward(new Record<>(change.key, t.state(), nowMs));
        log.debug("host {} {} -> {}", change.key, t.from(), t.state().getLiveness());
      } else if (change.value instanceof LivenessPatrol.Expire) {
        hosts.delete(change.key);
        lastHeard.delete(change.key);
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
    }
  }
}
