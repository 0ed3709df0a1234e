package io.swarmsched.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version}: the project version (filtered into swarmsched-version.properties at build
 * time) and the runtime.
 */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {
      "swarmsched " + version(),
      "Apache Kafka "
          + org.apache.kafka.common.utils.AppInfoParser.getVersion()
          + ", Java "
          + System.getProperty("java.version")
          + " ("
          + System.getProperty("java.vendor")
          + ")"
    };
  }

  /** The project version, or "unknown" when run from unfiltered sources. */
  public static String version() {
    Properties props = new Properties();
    try (InputStream in =
        VersionProvider.class.getResourceAsStream("/swarmsched-version.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (IOException e) {
      // fall through to unknown
    }
    String version = props.getProperty("version", "unknown");
    return version.startsWith("${") ? "unknown" : version;
  }
}
