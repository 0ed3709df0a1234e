package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command's log configurations keep logging while it stops: with log4j's own shutdown hook, a
 * SIGTERM to {@code up} stopped logging at once, so nothing the services logged while they stopped
 * (an error included) reached the terminal or the log file.
 */
class LogConfigTest {
  @ParameterizedTest
  @ValueSource(strings = {"swarmsched-cli-log4j2.xml", "swarmsched-file-log4j2.xml"})
  void log4jsShutdownHookIsDisabled(String resource) throws Exception {
    URL url = LogConfigTest.class.getClassLoader().getResource(resource);
    assertThat(url).as(resource).isNotNull();
    Configuration config =
        new XmlConfiguration(
            new LoggerContext("log-config-test"), ConfigurationSource.fromUri(url.toURI()));
    assertThat(config.isShutdownHookEnabled()).isFalse();
  }
}
