package io.swarmsched.dispatcher.jobs;

import io.swarmsched.dispatcher.metrics.JobMetrics;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.dispatcher.topology.HostAuthentication;
import io.swarmsched.runtime.deadletter.DeadLetterRouting;
import io.swarmsched.runtime.deadletter.SourceBytes;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The Kafka Streams adapter of {@link JobPool}: job events in (swarm.job-events.v1, one partition),
 * decisions out (keyed by their target host), unusable events to the dead letters.
 *
 * <p>Time: the pool's timers (timeouts, backoffs, deadlines) are about processes running on real
 * machines, so they use the wall clock of the instance (a WALL_CLOCK punctuator every {@code
 * tick}), not stream time. A replay of the job events therefore does not reproduce timer-driven
 * steps.
 */
public final class JobPoolProcessor implements Processor<String, JobEvent, Object, Object> {

  private final JobParams params;
  private final HostIndex index;
  private final String jobsStore;
  private final String decisionsSink;
  private final String deadLettersSink;
  private final Serializer<JobEvent> eventSerializer;
  private final java.time.Duration replayWindow;
  private final io.swarmsched.runtime.auth.PrincipalSeal seal;
  private HostAuthentication hostAuth;
  private KeyValueStore<String, JobRecord> store;
  private ProcessorContext<Object, Object> context;
  private JobPool pool;
  private Runnable stopListening = () -> {};

  public JobPoolProcessor(
      JobParams params,
      HostIndex index,
      String jobsStore,
      String decisionsSink,
      String deadLettersSink,
      Serializer<JobEvent> eventSerializer) {
    this(params, index, jobsStore, decisionsSink, deadLettersSink, eventSerializer, null, null);
  }

  /**
   * @param replayWindow how old a bound host's signed job event may be, and how long its signature
   *     is remembered against replays ({@code swarm.dispatcher.auth.replay.window}); null: the
   *     events are not authenticated (tools that build the pool without a configuration)
   * @param seal checks gateway principal headers ({@link io.swarmsched.runtime.auth.PrincipalSeal})
   */
  public JobPoolProcessor(
      JobParams params,
      HostIndex index,
      String jobsStore,
      String decisionsSink,
      String deadLettersSink,
      Serializer<JobEvent> eventSerializer,
      java.time.Duration replayWindow,
      io.swarmsched.runtime.auth.PrincipalSeal seal) {
    this.replayWindow = replayWindow;
    this.seal = seal;
    this.params = params;
    this.index = index;
    this.jobsStore = jobsStore;
    this.decisionsSink = decisionsSink;
    this.deadLettersSink = deadLettersSink;
    this.eventSerializer = eventSerializer;
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    store = context.getStateStore(jobsStore);
    hostAuth = replayWindow == null ? null : new HostAuthentication(index, replayWindow, seal);
    if (hostAuth != null) {
      hostAuth.rememberIn(
          context.getStateStore(
              io.swarmsched.dispatcher.topology.DispatcherTopology.JOB_SEEN_SIGNATURES_STORE),
          context.currentSystemTimeMs());
    }
    Object m = context.appConfigs().get(JobMetrics.CONFIG_KEY);
    JobMetrics metrics = m instanceof JobMetrics jm ? jm : JobMetrics.detached();
    Workers workers = new Workers(index::host, index::workers);
    stopListening = index.onHostChange(workers::changed);
    pool = new JobPool(params, workers, new StoreAdapter(store), this::send, metrics);
    pool.restore();
    context.schedule(params.tick(), PunctuationType.WALL_CLOCK_TIME, pool::tick);
  }

  @Override
  public void close() {
    stopListening.run(); // the task moved or stopped: its pool no longer follows the hosts
  }

  @Override
  public void process(Record<String, JobEvent> record) {
    JobEvent e = record.value();
    String invalid =
        e == null
            ? "record has no value (a tombstone is not a job event)"
            : JobSubmission.validate(record.key(), e);
    if (invalid != null) {
      deadLetter(record, STAGE_VALIDATE, invalid);
      return;
    }
    String forged = authenticate(record, e);
    if (forged != null) {
      deadLetter(record, STAGE_AUTHENTICATE, forged);
      return;
    }
    pool.onEvent(e, context.currentSystemTimeMs());
  }

  public static final String STAGE_VALIDATE = "job-event-validate";
  public static final String STAGE_AUTHENTICATE = "job-event-authenticate";

  /**
   * Null when the event may speak for the host it names (docs/design.md, "Security"), else why not:
   * a worker's STARTED, SUCCEEDED, FAILED or CANCELLED must be signed by the worker's bound key (so
   * no one can finish, fail or give up a job running on another host); a SUBMITTED names its
   * requester; a client's CANCELLED (no worker) speaks for the job's requester. The dispatcher's
   * own SUBMITTED and HTTP cancels are signed by its service key, which passes. Unbound hosts are
   * not checked, as for piece events.
   */
  private String authenticate(Record<String, JobEvent> record, JobEvent e) {
    if (hostAuth == null) {
      return null;
    }
    String host = e.getWorkerHostId();
    if (host == null && e.getType() == io.swarmsched.schemas.JobEventType.SUBMITTED) {
      host = e.getRequesterHostId();
    } else if (host == null) {
      JobRecord job = store.get(e.getJobId());
      host = job == null || job.requesterHostId.isEmpty() ? null : job.requesterHostId;
    }
    if (host == null) {
      return null;
    }
    return hostAuth.check(
        host,
        SourceBytes.value(context, null),
        record.headers(),
        e.getTimestamp(),
        context.currentSystemTimeMs());
  }

  private void send(ScheduleDecision d) {
    context.forward(
        new Record<Object, Object>(d.getTargetHostId(), d, d.getDecidedAt().toEpochMilli()),
        decisionsSink);
  }

  private void deadLetter(Record<String, JobEvent> record, String stage, String reason) {
    byte[] value = record.value() == null ? null : eventSerializer.serialize("", record.value());
    DeadLetterRouting.forward(context, record, stage, reason, value, deadLettersSink);
  }

  private record StoreAdapter(KeyValueStore<String, JobRecord> store) implements JobPool.Store {
    @Override
    public JobRecord get(String jobId) {
      return store.get(jobId);
    }

    @Override
    public void put(JobRecord job) {
      store.put(job.jobId, job);
    }

    @Override
    public void delete(String jobId) {
      store.delete(jobId);
    }

    @Override
    public List<JobRecord> all() {
      List<JobRecord> out = new ArrayList<>();
      try (KeyValueIterator<String, JobRecord> it = store.all()) {
        while (it.hasNext()) {
          KeyValue<String, JobRecord> kv = it.next();
          if (kv.value != null) out.add(kv.value);
        }
      }
      return out;
    }
  }
}
