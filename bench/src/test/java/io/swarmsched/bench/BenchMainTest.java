package io.swarmsched.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchMainTest {

  /** A benchmark that needs no broker: a few figures, one against a baseline, and a chart. */
  static final class Trivial implements Benchmark {
    @Override
    public String name() {
      return "trivial";
    }

    @Override
    public String title() {
      return "sums numbers";
    }

    @Override
    public boolean needsBroker() {
      return false;
    }

    @Override
    public BenchResult run(BenchContext ctx) {
      ctx.putBaseline("trivial.base", 4.0);
      Latencies lat = new Latencies();
      for (int i = 1; i <= 1000; i++) {
        lat.recordNanos(i * 1000L);
      }
      return BenchResult.of(this)
          .add(ctx.against("doubled", 8.0, "things", "trivial.base"))
          .add(Measurement.of("p50", lat.millisAt(0.5), "ms"))
          .chart(
              Charts.latencyDistribution(ctx, "trivial-latency", "trivial", Map.of("sample", lat)));
    }
  }

  static final class Unavailable implements Benchmark {
    @Override
    public String name() {
      return "unavailable";
    }

    @Override
    public String title() {
      return "a service that is not there";
    }

    @Override
    public boolean needsBroker() {
      return false;
    }

    @Override
    public BenchResult run(BenchContext ctx) {
      return BenchResult.notRun(this, "service missing");
    }
  }

  @Test
  void runsABenchmarkEndToEndAndWritesJsonMarkdownAndChart(@TempDir Path out) throws Exception {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    int code =
        BenchMain.run(
            new String[] {"--quick", "--out", out.toString()},
            List.of(new Trivial(), new Unavailable()),
            new PrintStream(progress, true, StandardCharsets.UTF_8));

    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(json.get("quick").asBoolean()).isTrue();
    assertThat(json.get("machine").get("cores").asInt()).isPositive();
    JsonNode trivial = json.get("results").get(0);
    assertThat(trivial.get("name").asText()).isEqualTo("trivial");
    assertThat(trivial.get("status").asText()).isEqualTo("ok");
    JsonNode doubled = trivial.get("measurements").get(0);
    assertThat(doubled.get("ratio").asDouble()).isEqualTo(2.0);
    assertThat(doubled.get("baseline").asText()).isEqualTo("trivial.base");
    assertThat(json.get("results").get(1).get("status").asText()).isEqualTo("not run");
    assertThat(json.get("results").get(1).get("reason").asText()).isEqualTo("service missing");

    String md = Files.readString(out.resolve("report.md"));
    assertThat(md)
        .contains(
            "## trivial",
            "| doubled | 8.000 | things | trivial.base | 4.000 | 2.000 |",
            "not run: service missing",
            "![charts/trivial-latency.png](charts/trivial-latency.png)");
    assertThat(out.resolve("charts/trivial-latency.png")).isNotEmptyFile();
    assertThat(progress.toString(StandardCharsets.UTF_8))
        .contains("trivial", "start: sums numbers");
  }

  @Test
  void onlySelectsTheNamedBenchmarkAndRejectsUnknownNames(@TempDir Path out) {
    int code =
        BenchMain.run(
            new String[] {"--only", "unavailable", "--out", out.toString()},
            List.of(new Trivial(), new Unavailable()),
            new PrintStream(new ByteArrayOutputStream()));
    assertThat(code).isZero();
    assertThat(out.resolve("results.json"))
        .content()
        .contains("unavailable")
        .doesNotContain("\"trivial\"");

    assertThatThrownBy(
            () ->
                BenchMain.run(
                    new String[] {"--only", "nope"},
                    List.of(new Trivial()),
                    new PrintStream(new ByteArrayOutputStream())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown benchmark 'nope'");
  }

  @Test
  void aFailingBenchmarkIsReportedAndTheExitCodeSaysSo(@TempDir Path out) throws Exception {
    Benchmark boom =
        new Benchmark() {
          @Override
          public String name() {
            return "boom";
          }

          @Override
          public String title() {
            return "throws";
          }

          @Override
          public boolean needsBroker() {
            return false;
          }

          @Override
          public BenchResult run(BenchContext ctx) {
            throw new IllegalStateException("kaput");
          }
        };
    int code =
        BenchMain.run(
            new String[] {"--out", out.toString()},
            List.of(boom, new Trivial()),
            new PrintStream(new ByteArrayOutputStream()));
    assertThat(code).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(json.get("results").get(0).get("status").asText()).isEqualTo("failed");
    assertThat(json.get("results").get(0).get("reason").asText()).contains("kaput");
    assertThat(json.get("results").get(1).get("status").asText()).isEqualTo("ok");
  }

  @Test
  void theCliFrontDoorAnswersBadArgumentsWithOneLineAndExitCode2() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        BenchMain.run(
            new String[] {"--only", "nope"},
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("bench: unknown benchmark 'nope'")
        .contains("distribution");
  }

  @Test
  void theDefaultRunPutsTheBrokerBaselineFirstAndTheSharedBrokerFreeBenchmarksLast() {
    List<Benchmark> all = BenchMain.defaultBenchmarks();
    assertThat(all)
        .extracting(Benchmark::name)
        .containsExactly(
            "broker-baseline",
            "services",
            "heartbeat-ingest",
            "commit-interval",
            "scoring-streams",
            "dispatcher",
            "job-placement",
            "memory",
            "scheduling-core-jmh",
            "distribution");
    assertThat(all.subList(8, 10)).noneMatch(Benchmark::needsBroker);
  }

  @Test
  void theJmhBenchmarkListIsGeneratedAtCompileTime() {
    assertThat(getClass().getClassLoader().getResource("META-INF/BenchmarkList")).isNotNull();
  }

  @Test
  void theJobPlacementBenchmarkRunsBesideTheBrokerBaseline() {
    assertThat(BenchMain.select(BenchMain.defaultBenchmarks(), java.util.Set.of("job-placement")))
        .extracting(Benchmark::name)
        .containsExactly("broker-baseline", "job-placement");
  }
}
