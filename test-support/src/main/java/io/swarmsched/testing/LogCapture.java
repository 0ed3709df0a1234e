package io.swarmsched.testing;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Records what this JVM logs at WARN or above while it is open (from every logger whose level lets
 * such an event through: the root logger's appenders receive them), for tests that pin down "no
 * warnings at start". Each event reads {@code LEVEL logger - message}.
 */
public final class LogCapture implements AutoCloseable {
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final LoggerContext context;
  private final LoggerConfig root;
  private final AbstractAppender appender;

  private LogCapture() {
    context = LoggerContext.getContext(false);
    root = context.getConfiguration().getRootLogger();
    appender =
        new AbstractAppender(
            "log-capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            events.add(
                event.getLevel()
                    + " "
                    + event.getLoggerName()
                    + " - "
                    + event.getMessage().getFormattedMessage());
          }
        };
    appender.start();
    root.addAppender(appender, Level.WARN, null);
    context.updateLoggers();
  }

  /** Starts recording WARN, ERROR and FATAL events. */
  public static LogCapture warnings() {
    return new LogCapture();
  }

  /** What was recorded so far, oldest first. */
  public List<String> events() {
    return List.copyOf(events);
  }

  @Override
  public void close() {
    root.removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }
}
