package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code swarmsched dispatch} started the way the CLI starts it: picocli parses the arguments into
 * {@link DispatchCommand}, which loads the settings (defaults, environment, flags) and starts the
 * dispatcher. Before the fix the defaults layer always set at_least_once, so the dispatcher's own
 * "exactly-once unless set" never applied.
 */
class DispatchCommandTest {
  @TempDir Path stateDir;

  /**
   * Parses {@code swarmsched dispatch args...} and returns the command, with an empty environment.
   */
  private static DispatchCommand parse(String... args) {
    List<String> all = new ArrayList<>(List.of("dispatch"));
    all.addAll(List.of(args));
    CommandLine.ParseResult result = Main.commandLine().parseArgs(all.toArray(String[]::new));
    DispatchCommand command = (DispatchCommand) result.subcommand().commandSpec().userObject();
    command.environment = Map.of();
    return command;
  }

  @Test
  void standaloneDispatchDefaultsToExactlyOnceOnItsOwnPort() {
    Settings settings = parse().settings();
    assertThat(CommonKeys.processingGuarantee(settings)).isEqualTo(CommonKeys.EXACTLY_ONCE_V2);
    assertThat(settings.integer(CommonKeys.HTTP_PORT, 0))
        .isEqualTo(DispatcherConfig.DEFAULT_HTTP_PORT);
  }

  @Test
  void aWrongDispatcherValueExitsTwoNamingTheKeyAndTheFlag() {
    CliRun run = CliRun.of("dispatch", "--swarm.dispatcher.retry.interval=soon");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("swarm.dispatcher.retry.interval")
        .contains("'soon'")
        .contains("flag --swarm.dispatcher.retry.interval");
  }

  @Test
  void aBadValueUnderAnOldKeyStillFailsNamingIt() {
    DispatchCommand command = parse("--swarm.bootstrap.servers=127.0.0.1:1", "--swarm.http.port=0");
    command.environment = Map.of("SWARM_DISPATCHER_QUARANTINE_MIN__SAMPLES", "lots");
    assertThatThrownBy(command::startService)
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining(DispatcherConfig.QUARANTINE_MIN_SAMPLES)
        .hasMessageContaining("env SWARM_DISPATCHER_QUARANTINE_MIN__SAMPLES");
  }

  /**
   * The guarantee in effect, seen from the broker: under exactly_once_v2 every stream thread's
   * producer registers a transactional id starting with the application id; under at_least_once
   * none does. One test so the embedded broker's start is paid once.
   */
  @Test
  void theDispatcherStartedByTheCliCommitsInTransactionsUnlessToldOtherwise() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.get();
    kafka.createTopics(Topics.ALL);

    String exactlyOnceApp = EmbeddedKafka.uniqueName("dispatch-cli-eos");
    try (DispatcherApp app = start(kafka, exactlyOnceApp)) {
      Await.until(
          Duration.ofSeconds(60),
          "a transactional id of " + exactlyOnceApp + " on the broker",
          () -> !transactionalIds(kafka, exactlyOnceApp).isEmpty());
    }

    String atLeastOnceApp = EmbeddedKafka.uniqueName("dispatch-cli-alos");
    try (DispatcherApp app =
        start(kafka, atLeastOnceApp, "--swarm.processing.guarantee=at_least_once")) {
      assertThat(transactionalIds(kafka, atLeastOnceApp)).isEmpty();
    }
  }

  private DispatcherApp start(EmbeddedKafka kafka, String applicationId, String... more)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--swarm.bootstrap.servers=" + kafka.bootstrapServers(),
                "--swarm.schema.registry.url="
                    + MockSchemaRegistry.MOCK_URL_PREFIX
                    + "dispatch-cli",
                "--swarm.http.host=127.0.0.1",
                "--swarm.http.port=0",
                "--swarm.state.dir=" + stateDir.resolve(applicationId),
                "--" + DispatcherConfig.APPLICATION_ID + "=" + applicationId,
                "--swarm.streams." + StreamsConfig.COMMIT_INTERVAL_MS_CONFIG + "=100"));
    args.addAll(List.of(more));
    DispatchCommand command = parse(args.toArray(String[]::new));
    DispatcherApp app = (DispatcherApp) command.startService();
    try {
      app.awaitRunning(Duration.ofSeconds(120));
      return app;
    } catch (Exception | Error e) {
      app.close();
      throw e;
    }
  }

  private static List<String> transactionalIds(EmbeddedKafka kafka, String applicationId) {
    try {
      return kafka.admin().listTransactions().all().get().stream()
          .map(TransactionListing::transactionalId)
          .filter(id -> id.startsWith(applicationId + "-"))
          .toList();
    } catch (Exception e) {
      throw new AssertionError("cannot list transactions", e);
    }
  }
}
