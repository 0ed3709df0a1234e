package io.swarmsched.dispatcher.metrics;

import io.swarmsched.runtime.deadletter.SourceBytes;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Wraps the dispatch processor to observe its output without touching its internals: every {@link
 * ScheduleDecision} it forwards is counted in {@link DecisionMetrics}, and a terminal decision is
 * timed from the timestamp of the request it answers (remembered as requests pass in, so retried
 * requests are timed over all their rounds). Every input record is counted by topic and by whether
 * it came in timestamp order ({@link DecisionMetrics#input}). With no {@link DecisionMetrics} in
 * the application's config ({@link DecisionMetrics#CONFIG_KEY}), as in TopologyTestDriver tests, it
 * only delegates.
 */
public final class ObservedDispatch<KIn, VIn> implements Processor<KIn, VIn, Object, Object> {
  /** Requests remembered per processor while they wait for their decision; the oldest go first. */
  static final int MAX_PENDING = 100_000;

  private final Processor<KIn, VIn, Object, Object> inner;
  private DecisionMetrics metrics;
  private ProcessorContext<Object, Object> context;
  private final Map<String, Long> requestTimes =
      new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > MAX_PENDING;
        }
      };

  private final java.util.function.Function<VIn, ScheduleRequest> requestOf;

  private ObservedDispatch(
      Processor<KIn, VIn, Object, Object> inner,
      java.util.function.Function<VIn, ScheduleRequest> requestOf) {
    this.inner = inner;
    this.requestOf = requestOf;
  }

  /**
   * @param requestOf the schedule request an input carries, or null when it carries none
   */
  public static <KIn, VIn> Processor<KIn, VIn, Object, Object> observe(
      Processor<KIn, VIn, Object, Object> inner,
      java.util.function.Function<VIn, ScheduleRequest> requestOf) {
    return new ObservedDispatch<>(inner, requestOf);
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    Object configured = context.appConfigs().get(DecisionMetrics.CONFIG_KEY);
    if (configured instanceof DecisionMetrics m) {
      metrics = m;
      this.context = context;
      inner.init(new Observing(context));
    } else {
      inner.init(context);
    }
  }

  @Override
  public void process(Record<KIn, VIn> record) {
    ScheduleRequest r =
        metrics == null || record.value() == null ? null : requestOf.apply(record.value());
    if (metrics != null) {
      // Streams has already taken this record's timestamp into the task's stream time
      metrics.input(
          context.recordMetadata().map(m -> m.topic()).orElse("none"),
          context.currentStreamTimeMs() - record.timestamp());
    }
    if (r != null) {
      Instant ts = r.getTimestamp();
      requestTimes.putIfAbsent(
          r.getRequestId(), ts == null ? record.timestamp() : ts.toEpochMilli());
    }
    inner.process(record);
  }

  @Override
  public void close() {
    inner.close();
  }

  private void observed(Object value) {
    if (!(value instanceof ScheduleDecision d)) {
      return;
    }
    metrics.decided(d);
    if (d.getOutcome() != DecisionOutcome.SEED_TRIGGER) {
      Long requested = requestTimes.remove(d.getRequestId());
      if (requested != null) {
        metrics.timed(requested, System.currentTimeMillis());
      }
    }
  }

  /** The real context, with forwards observed on their way out. */
  private final class Observing implements ProcessorContext<Object, Object>, SourceBytes.Wrapping {
    private final ProcessorContext<Object, Object> ctx;

    Observing(ProcessorContext<Object, Object> ctx) {
      this.ctx = ctx;
    }

    @Override
    public Object wrapped() {
      return ctx; // dead letters read the source record's bytes through it
    }

    @Override
    public <K, V> void forward(Record<K, V> record) {
      ctx.forward(record);
      observed(record.value());
    }

    @Override
    public <K, V> void forward(Record<K, V> record, String childName) {
      ctx.forward(record, childName);
      observed(record.value());
    }

    @Override
    public String applicationId() {
      return ctx.applicationId();
    }

    @Override
    public TaskId taskId() {
      return ctx.taskId();
    }

    @Override
    public Optional<RecordMetadata> recordMetadata() {
      return ctx.recordMetadata();
    }

    @Override
    public Serde<?> keySerde() {
      return ctx.keySerde();
    }

    @Override
    public Serde<?> valueSerde() {
      return ctx.valueSerde();
    }

    @Override
    public File stateDir() {
      return ctx.stateDir();
    }

    @Override
    public StreamsMetrics metrics() {
      return ctx.metrics();
    }

    @Override
    public <S extends StateStore> S getStateStore(String name) {
      return ctx.getStateStore(name);
    }

    @Override
    public Cancellable schedule(Duration interval, PunctuationType type, Punctuator callback) {
      return ctx.schedule(interval, type, callback);
    }

    @Override
    public Cancellable schedule(
        Instant startTime, Duration interval, PunctuationType type, Punctuator callback) {
      return ctx.schedule(startTime, interval, type, callback);
    }

    @Override
    public void commit() {
      ctx.commit();
    }

    @Override
    public Map<String, Object> appConfigs() {
      return ctx.appConfigs();
    }

    @Override
    public Map<String, Object> appConfigsWithPrefix(String prefix) {
      return ctx.appConfigsWithPrefix(prefix);
    }

    @Override
    public long currentSystemTimeMs() {
      return ctx.currentSystemTimeMs();
    }

    @Override
    public long currentStreamTimeMs() {
      return ctx.currentStreamTimeMs();
    }
  }
}
