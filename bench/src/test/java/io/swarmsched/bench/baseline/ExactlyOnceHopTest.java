package io.swarmsched.bench.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.Latencies;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker baseline's exactly-once hop, on a real broker (the bench's own child process). */
class ExactlyOnceHopTest {

  @Test
  void carriesEveryRecordThroughTheTransactionAndTimesEach(@TempDir Path out) throws Exception {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    try (BenchContext ctx =
        new BenchContext(true, out, new PrintStream(progress, true, StandardCharsets.UTF_8))) {
      BrokerBaseline.Pool pool = BrokerBaseline.heartbeatPool(ctx, ctx.newTopic("hop-pool", 1), 50);
      // 200 records/s for 2 s, committed every 20 ms: every record is read by the
      // read_committed reader once, after its transaction committed
      Latencies lat =
          BrokerBaseline.exactlyOnceHop(
              ctx, pool, 200, 20, Duration.ofSeconds(2), Duration.ofSeconds(20));
      assertThat(lat.count()).isEqualTo(400);
      assertThat(lat.millisAt(0.5)).isPositive();
    }
  }

  @Test
  void runsAtTenMillisecondsAndAtTheServicesOwnInterval() {
    String key = "bench.set.swarm.streams.commit.interval.ms";
    String before = System.getProperty(key);
    try {
      System.clearProperty(key);
      assertThat(BrokerBaseline.eosIntervals()).containsExactly(10L, 100L);
      System.setProperty(key, "10");
      assertThat(BrokerBaseline.eosIntervals()).containsExactly(10L);
      System.setProperty(key, "25");
      assertThat(BrokerBaseline.eosIntervals()).containsExactly(10L, 25L);
      assertThat(BrokerBaseline.eosKey(25, "p50")).isEqualTo("broker.eos.25ms.p50_ms");
      System.setProperty(key, "soon");
      assertThatThrownBy(BrokerBaseline::eosIntervals)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("was 'soon'");
      System.setProperty(key, "0");
      assertThatThrownBy(BrokerBaseline::eosIntervals).isInstanceOf(IllegalArgumentException.class);
    } finally {
      if (before == null) System.clearProperty(key);
      else System.setProperty(key, before);
    }
  }
}
