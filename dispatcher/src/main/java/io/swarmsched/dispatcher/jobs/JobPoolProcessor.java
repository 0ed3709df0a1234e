package io.swarmsched.dispatcher.jobs;

import io.swarmsched.dispatcher.metrics.JobMetrics;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.runtime.deadletter.DeadLetter;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger log = LoggerFactory.getLogger(JobPoolProcessor.class);

  private final JobParams params;
  private final HostIndex index;
  private final String jobsStore;
  private final String decisionsSink;
  private final String deadLettersSink;
  private final Serializer<JobEvent> eventSerializer;
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
    KeyValueStore<String, JobRecord> store = context.getStateStore(jobsStore);
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
      deadLetter(record, invalid);
      return;
    }
    pool.onEvent(e, context.currentSystemTimeMs());
  }

  private void send(ScheduleDecision d) {
    context.forward(
        new Record<Object, Object>(d.getTargetHostId(), d, d.getDecidedAt().toEpochMilli()),
        decisionsSink);
  }

  private void deadLetter(Record<String, JobEvent> record, String reason) {
    byte[] value = record.value() == null ? null : eventSerializer.serialize("", record.value());
    DeadLetter.Builder b =
        DeadLetter.builder("job-event-validate", reason)
            .rawKey(SourceBytes.key(context, record.key()))
            .rawValue(SourceBytes.value(context, value))
            .headers(record.headers())
            .deadLetteredAtMs(context.currentSystemTimeMs());
    context.recordMetadata().ifPresent(md -> b.source(md.topic(), md.partition(), md.offset()));
    DeadLetter dl = b.build();
    log.warn("Dead-lettering job event: {}", reason);
    context.forward(
        new Record<Object, Object>(dl.rawKey(), dl.rawValue(), record.timestamp(), dl.headers()),
        deadLettersSink);
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
