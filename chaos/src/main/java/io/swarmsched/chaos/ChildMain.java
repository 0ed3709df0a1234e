package io.swarmsched.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of a service's child JVM: {@code ChildMain <main class> <args...>} runs that class's
 * {@code main} (the cli's {@code io.swarmsched.cli.Main} with {@code ingest|score|dispatch}, or a
 * service's own main class), plus the same watchdog as local-cluster's {@code BrokerMain}: the
 * harness keeps stdin open, so when the harness dies (even by SIGKILL) the pipe closes and the
 * service exits through its shutdown hook; no service outlives a run.
 */
public final class ChildMain {
  private ChildMain() {}

  public static void main(String[] args) throws Throwable {
    if (args.length < 1) {
      System.err.println("usage: ChildMain <main class> [args...]");
      System.exit(2);
    }
    Thread watchdog =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() != -1) {
                  // the harness never writes
                }
              } catch (IOException e) {
                // a broken pipe means the same as end-of-file
              }
              System.err.println("chaos child: the harness went away; shutting down");
              System.exit(0);
            },
            "chaos-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
