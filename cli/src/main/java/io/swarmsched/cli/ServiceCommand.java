package io.swarmsched.cli;

import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * A service run as its own process until Ctrl-C. Its settings come from defaults, a properties file
 * ({@code --config FILE}), {@code SWARM_*} environment variables and {@code --swarm.key=value}
 * flags, in that order of precedence; a wrong value exits 2 naming the key.
 */
abstract class ServiceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Unmatched List<String> settingsArgs = new ArrayList<>();

  /** The service's own defaults under the common ones. */
  abstract Map<String, String> serviceDefaults();

  /** Starts the service and says where it answers. */
  abstract AutoCloseable start(Settings settings, PrintWriter out) throws Exception;

  /** The environment the settings read; the process's own, or a test's. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws Exception {
    AutoCloseable service = startService();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    service.close();
                  } catch (Exception e) {
                    System.err.println("swarmsched " + spec.name() + ": stopping failed: " + e);
                  }
                  stopped.countDown();
                },
                spec.name() + "-shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * The settings this command runs with: defaults, file, environment and flags; exit 2 on a bad
   * one.
   */
  Settings settings() {
    Settings settings;
    try {
      settings = Settings.load(settingsArgs.toArray(String[]::new), environment, serviceDefaults());
    } catch (ConfigException e) {
      throw new CommandFailure(e.getMessage(), 2, e);
    }
    if (!settings.unparsedArguments().isEmpty()) {
      throw new CommandFailure(
          "unknown arguments "
              + settings.unparsedArguments()
              + "; settings are given as --config FILE or --swarm.key=value",
          2,
          null);
    }
    return settings;
  }

  /** What {@link #call()} does before it waits for Ctrl-C: load the settings, start the service. */
  AutoCloseable startService() throws Exception {
    Settings settings = settings();
    PrintWriter out = spec.commandLine().getOut();
    AutoCloseable service;
    try {
      service = start(settings, out);
    } catch (ConfigException e) {
      throw new CommandFailure(e.getMessage(), 2, e);
    }
    out.flush();
    return service;
  }
}
