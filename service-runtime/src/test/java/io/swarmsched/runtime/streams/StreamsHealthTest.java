package io.swarmsched.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.runtime.http.HealthCheck;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Test;

/**
 * /health tells the truth (issue 13): thread deaths, ERROR states and an unreachable broker make it
 * down.
 */
class StreamsHealthTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final StreamsHealth health =
      new StreamsHealth(
          new StreamsHealth.Policy(2, Duration.ofMinutes(10), Duration.ofSeconds(30)), now::get);

  private HealthCheck.Status status(State state) {
    return health.status(state, "app");
  }

  @Test
  void runningAndRebalancingAreUpEveryOtherStateIsDown() {
    assertThat(status(State.RUNNING).up()).isTrue();
    assertThat(status(State.REBALANCING).up()).isTrue();
    for (State s :
        new State[] {
          State.ERROR, State.PENDING_ERROR, State.CREATED, State.PENDING_SHUTDOWN, State.NOT_RUNNING
        }) {
      assertThat(status(s).up()).as(s.name()).isFalse();
      assertThat(status(s).detail()).isEqualTo(s.name());
    }
  }

  @Test
  void aThreadDyingRepeatedlyIsDownUntilTheDeathsLeaveTheWindow() {
    health.threadReplaced();
    assertThat(status(State.RUNNING).up()).as("one death is tolerated").isTrue();
    now.addAndGet(60_000);
    health.threadReplaced();
    HealthCheck.Status down = status(State.RUNNING);
    assertThat(down.up()).isFalse();
    assertThat(down.detail()).contains("2 stream threads died");
    assertThat(down.data()).containsEntry("thread_replacements_total", 2L);

    now.addAndGet(Duration.ofMinutes(10).toMillis() - 59_999);
    health.brokerReached();
    assertThat(status(State.RUNNING).up()).as("the first death left the window").isTrue();
  }

  @Test
  void aBrokerUnreachableForLongerThanTheThresholdIsDown() {
    now.addAndGet(29_000);
    assertThat(status(State.RUNNING).up()).isTrue();
    now.addAndGet(2_000);
    assertThat(status(State.RUNNING).detail()).contains("broker has been unreachable for 31 s");
    health.brokerReached();
    assertThat(status(State.RUNNING).up()).isTrue();
  }

  @Test
  void aPolicyWithoutPositiveBoundsIsRefused() {
    assertThatThrownBy(
            () -> new StreamsHealth.Policy(0, Duration.ofMinutes(1), Duration.ofSeconds(1)))
        .hasMessageContaining("maxReplacements");
    assertThatThrownBy(() -> new StreamsHealth.Policy(1, Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("positive");
  }

  @Test
  void aServiceWhoseBrokerCannotBeReachedReportsDownWithinTheThreshold() throws Exception {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "health-unreachable");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"); // nothing listens on port 1
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("health").toString());
    try (StreamsService service =
        new StreamsService(
            builder.build(),
            props,
            new StreamsHealth.Policy(2, Duration.ofMinutes(1), Duration.ofMillis(1_500)))) {
      service.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      HealthCheck.Status status = service.healthCheck().check();
      while (!status.detail().contains("broker has been unreachable")
          && System.nanoTime() < deadline) {
        Thread.sleep(100); // polling the health check with a deadline, not waiting for Kafka
        status = service.healthCheck().check();
      }
      assertThat(status.up()).isFalse();
      assertThat(status.detail()).contains("broker has been unreachable");
    }
  }
}
