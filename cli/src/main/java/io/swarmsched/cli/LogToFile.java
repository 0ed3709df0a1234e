package io.swarmsched.cli;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * Sends this process's logs to a file (errors still reach the terminal), for commands that draw
 * progress.
 */
final class LogToFile {
  private LogToFile() {}

  static void to(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      System.setProperty("swarmsched.log.file", file.toAbsolutePath().toString());
      URL config = LogToFile.class.getClassLoader().getResource("swarmsched-file-log4j2.xml");
      if (config != null && LogManager.getContext(false) instanceof LoggerContext context) {
        context.setConfigLocation(config.toURI());
      }
    } catch (java.io.IOException | URISyntaxException e) {
      System.err.println("swarmsched: logging stays on the terminal (" + e.getMessage() + ")");
    }
  }
}
