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
 * A service run as its own process until Ctrl-C. Its settings come from defaults, a properties
 * file ({@code --config FILE}), {@code SWARM_*} environment variables and {@code --swarm.key=value}
 * flags, in that order of precedence; a wrong value exits 2 naming the key.
 */
abstract class ServiceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Unmatched List<String> settingsArgs = new ArrayList<>();

  /** The service's own defaults under the common ones. */
  abstract Map<String, String> serviceDefaults();

  /** Starts the service and says where it answers. */
  abstract AutoCloseable start(Settings settings, PrintWriter out) throws Exception;

  @Override
  public Integer call() throws Exception {
    Settings settings;
    try {
      settings = Settings.load(settingsArgs.toArray(String[]::new), System.getenv(), serviceDefaults());
    } catch (ConfigException e) {
      throw new CommandFailure(e.getMessage(), 2, e);
    }
    if (!settings.unparsedArguments().isEmpty()) {
      throw new CommandFailure("unknown arguments " + settings.unparsedArguments()
          + "; settings are given as --config FILE or --swarm.key=value", 2, null);
    }
    PrintWriter out = spec.commandLine().getOut();
    AutoCloseable service;
    try {
      service = start(settings, out);
    } catch (ConfigException e) {
      throw new CommandFailure(e.getMessage(), 2, e);
    }
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        service.close();
      } catch (Exception e) {
        System.err.println("swarmsched " + spec.name() + ": stopping failed: " + e);
      }
      stopped.countDown();
    }, spec.name() + "-shutdown"));
    stopped.await();
    return 0;
  }
}
