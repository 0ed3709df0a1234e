package io.swarmsched.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The start-up WARN "Prometheus requires that all meters with the same name have the same set of
 * tag keys": Kafka Streams tags a key-value store's metrics rocksdb-state-id and a window store's
 * rocksdb-window-state-id under one metric name (scoring-streams has both), and Prometheus dropped
 * the second. With {@link StateStoreTags#FILTER} both register.
 */
class StateStoreTagsTest {
  static final String NAME = "kafka.stream.state.compaction.time.min";

  static List<String> registerKeyValueAndWindowStoreMeters(PrometheusMeterRegistry registry) {
    List<String> failures = new ArrayList<>();
    registry
        .config()
        .onMeterRegistrationFailed((id, reason) -> failures.add(id.getName() + ": " + reason));
    Gauge.builder(NAME, () -> 1.0)
        .tags(
            Tags.of(
                "kafka.version",
                "4.3.1",
                "rocksdb.state.id",
                "scoring-scores",
                "task.id",
                "1_3",
                "thread.id",
                "t1"))
        .register(registry);
    Gauge.builder(NAME, () -> 2.0)
        .tags(
            Tags.of(
                "kafka.version",
                "4.3.1",
                "rocksdb.window.state.id",
                "scoring-reported-tx",
                "task.id",
                "1_3",
                "thread.id",
                "t1"))
        .register(registry);
    return failures;
  }

  @Test
  void withoutTheFilterPrometheusRefusesTheWindowStoresMeter() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    assertThat(registerKeyValueAndWindowStoreMeters(registry))
        .singleElement()
        .asString()
        .contains("same set of tag keys");
  }

  @Test
  void withTheFilterBothStoresMetersRegisterUnderOneSetOfTagKeys() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(StateStoreTags.FILTER);
    assertThat(registerKeyValueAndWindowStoreMeters(registry)).isEmpty();
    assertThat(registry.scrape())
        .contains(
            "kafka_stream_state_compaction_time_min{kafka_version=\"4.3.1\",state_id=\"scoring-scores\","
                + "store_type=\"rocksdb\",task_id=\"1_3\",thread_id=\"t1\"} 1.0")
        .contains(
            "kafka_stream_state_compaction_time_min{kafka_version=\"4.3.1\",state_id=\"scoring-reported-tx\","
                + "store_type=\"rocksdb.window\",task_id=\"1_3\",thread_id=\"t1\"} 2.0");
  }

  @Test
  void otherMetersAreLeftAlone() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(StateStoreTags.FILTER);
    Gauge.builder("kafka.consumer.records.lag", () -> 3.0)
        .tags("topic", "t", "partition", "0")
        .register(registry);
    assertThat(registry.scrape())
        .contains("kafka_consumer_records_lag{partition=\"0\",topic=\"t\"} 3.0");
  }
}
