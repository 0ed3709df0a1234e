package io.swarmsched.agent;

import io.swarmsched.agent.control.AgentControlApi;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent daemon as its own process ({@code swarmsched agent}): an {@link Agent} plus its control
 * API, until Ctrl-C, when it leaves every task cleanly.
 */
public final class AgentApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentApp.class);

  private final Agent agent;
  private final AgentControlApi control;

  private AgentApp(Agent agent, AgentControlApi control) {
    this.agent = agent;
    this.control = control;
  }

  public static AgentApp start(AgentConfig config) throws IOException {
    Agent agent = Agent.start(config);
    try {
      AgentControlApi control =
          config.controlPort() < 0
              ? null
              : AgentControlApi.start(agent, "127.0.0.1", config.controlPort());
      return new AgentApp(agent, control);
    } catch (IOException | RuntimeException e) {
      agent.close();
      throw new IOException(
          "cannot open the agent's control port " + config.controlPort() + ": " + e.getMessage(),
          e);
    }
  }

  public Agent agent() {
    return agent;
  }

  /** Port of the control API, or -1 when it is off. */
  public int controlPort() {
    return control == null ? -1 : control.port();
  }

  @Override
  public void close() {
    if (control != null) {
      control.close();
    }
    agent.close();
  }

  /** Runs until the process is asked to stop; returns the exit code. */
  public static int run(Settings settings) {
    AgentConfig config;
    try {
      config = AgentConfig.from(settings);
    } catch (ConfigException e) {
      System.err.println("swarmsched agent: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    AgentApp app;
    try {
      app = start(config);
    } catch (IOException | RuntimeException e) {
      System.err.println("swarmsched agent: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "agent-shutdown"));
    System.out.printf(
        "agent %s: pieces on %s, control API on http://127.0.0.1:%d%n",
        config.hostId(), app.agent().pieceServerAddress(), app.controlPort());
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("agent {} stopped", config.hostId());
    return 0;
  }

  public static void main(String[] args) {
    System.exit(run(Settings.load(args)));
  }
}
