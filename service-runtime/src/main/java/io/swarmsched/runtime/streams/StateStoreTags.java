package io.swarmsched.runtime.streams;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives every Kafka Streams state-store meter the same tag keys. Streams tags a store's metrics by
 * its kind ({@code rocksdb-state-id}, {@code rocksdb-window-state-id}, {@code
 * rocksdb-session-state-id}, {@code in-memory-state-id}, ...), so one metric name such as {@code
 * kafka_stream_state_compaction_time_min} would carry different tag keys in a service with both
 * key-value and window stores — which Prometheus refuses ("all meters with the same name must have
 * the same set of tag keys"): the meter was dropped with a WARN at start-up. Here the kind-specific
 * key becomes {@code state.id} with the kind in {@code store.type}.
 *
 * <p>Add it to a registry before any meter is registered (filters apply to meters registered after
 * them).
 */
public final class StateStoreTags {
  private StateStoreTags() {}

  static final String PREFIX = "kafka.stream.state";
  static final String SUFFIX = ".state.id";

  public static final MeterFilter FILTER =
      new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
          if (!id.getName().startsWith(PREFIX)) {
            return id;
          }
          List<Tag> tags = new ArrayList<>();
          String type = null;
          for (Tag t : id.getTagsAsIterable()) {
            if (t.getKey().endsWith(SUFFIX)) {
              type = t.getKey().substring(0, t.getKey().length() - SUFFIX.length());
              tags.add(Tag.of("state.id", t.getValue()));
            } else {
              tags.add(t);
            }
          }
          if (type == null) {
            return id;
          }
          tags.add(Tag.of("store.type", type));
          return id.replaceTags(tags);
        }
      };
}
