package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.scoring.streams.ScoringSettings;
import io.swarmsched.swarm.LocalSwarm;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What each service command runs with when nothing is configured: the settings as {@link
 * ServiceCommand#settings()} loads them from parsed arguments and an empty environment.
 */
class ServiceCommandSettingsTest {

  private static Settings settingsOf(String command, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = command;
    System.arraycopy(args, 0, all, 1, args.length);
    ServiceCommand parsed =
        (ServiceCommand) Main.commandLine().parseArgs(all).subcommand().commandSpec().userObject();
    parsed.environment = Map.of();
    return parsed.settings();
  }

  @Test
  void everyServiceRunsExactlyOnceUnlessToldOtherwise() {
    for (String command : new String[] {"ingest", "score", "dispatch"}) {
      assertThat(CommonKeys.processingGuarantee(settingsOf(command)))
          .as(command)
          .isEqualTo(CommonKeys.EXACTLY_ONCE_V2);
    }
    assertThat(
            CommonKeys.processingGuarantee(
                settingsOf("score", "--swarm.processing.guarantee=at_least_once")))
        .isEqualTo(CommonKeys.AT_LEAST_ONCE);
  }

  @Test
  void eachServiceHasItsOwnPortAndUpUsesTheSame() {
    assertThat(settingsOf("ingest").integer(CommonKeys.HTTP_PORT, 0))
        .isEqualTo(IngestSettings.DEFAULT_HTTP_PORT);
    assertThat(settingsOf("score").integer(CommonKeys.HTTP_PORT, 0))
        .isEqualTo(ScoringSettings.DEFAULT_HTTP_PORT);
    assertThat(settingsOf("dispatch").integer(CommonKeys.HTTP_PORT, 0))
        .isEqualTo(DispatcherConfig.DEFAULT_HTTP_PORT);
    assertThat(
            new int[] {
              IngestSettings.DEFAULT_HTTP_PORT,
              ScoringSettings.DEFAULT_HTTP_PORT,
              DispatcherConfig.DEFAULT_HTTP_PORT
            })
        .doesNotHaveDuplicates();
    LocalSwarm.Options up = LocalSwarm.Options.defaults(java.nio.file.Path.of("unused"));
    assertThat(new int[] {up.ingestPort(), up.scoringPort(), up.dispatcherPort()})
        .containsExactly(
            IngestSettings.DEFAULT_HTTP_PORT,
            ScoringSettings.DEFAULT_HTTP_PORT,
            DispatcherConfig.DEFAULT_HTTP_PORT);
  }
}
