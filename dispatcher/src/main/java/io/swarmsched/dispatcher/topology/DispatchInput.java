package io.swarmsched.dispatcher.topology;

import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleRequest;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * What the dispatch processor receives, keyed by task id: the three co-partitioned input topics
 * merged into one stream. Lives only inside the topology (no serde, never written to a topic).
 */
sealed interface DispatchInput {

  /** A schedule request (a download's parents, or a job's worker). */
  record Request(ScheduleRequest request) implements DispatchInput {}

  /** A peer's state change or progress report. */
  record PeerUpdate(PeerEvent event) implements DispatchInput {}

  /** One piece a peer finished or failed, and from which parent. */
  record PieceUpdate(PieceEvent event) implements DispatchInput {}

  /**
   * The processor behind each source: wraps the decoded value as its input. A null value (a
   * tombstone) goes on as null: it is no input, but it still tells the processor that its partition
   * is not idle.
   */
  final class Wrap<V> implements Processor<String, V, String, DispatchInput> {
    private final Function<V, DispatchInput> wrap;
    private ProcessorContext<String, DispatchInput> context;

    Wrap(Function<V, DispatchInput> wrap) {
      this.wrap = Objects.requireNonNull(wrap, "wrap");
    }

    @Override
    public void init(ProcessorContext<String, DispatchInput> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, V> record) {
      context.forward(record.withValue(record.value() == null ? null : wrap.apply(record.value())));
    }
  }
}
