package io.swarmsched.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code swarmsched}: the one command-line entry point. Every subcommand is its own class listed in
 * {@link #SUBCOMMANDS}; to add one ({@code up}, {@code demo}, {@code agent}, ...), write a picocli
 * {@code @Command} class implementing {@code Callable<Integer>} and add it there. Failures print
 * one line, {@code swarmsched: <reason>}, to stderr and exit non-zero.
 */
@Command(
    name = "swarmsched",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = VersionProvider.class,
    description =
        "Kafka-native, load-aware scheduler for peer-to-peer content distribution and worker pools.",
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n")
public final class Main implements Runnable {

  /** The subcommands, in the order --help lists them. */
  public static final List<Class<?>> SUBCOMMANDS =
      List.of(
          DemoCommand.class,
          UpCommand.class,
          DashboardCommand.class,
          ClusterCommand.class,
          CredentialsCommand.class,
          TopicsCommand.class,
          HostsCommand.class,
          IngestCommand.class,
          ScoreCommand.class,
          DispatchCommand.class,
          AgentCommand.class,
          JobsCommand.class,
          DtaskApiCommand.class,
          GetCommand.class,
          BenchCommand.class,
          ChaosCommand.class,
          SimulateCommand.class,
          RecordCommand.class,
          ReplayCommand.class);

  /**
   * Exit code for a command that failed for a reason it explained (picocli uses 2 for bad usage).
   */
  public static final int EXIT_FAILURE = 1;

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "swarmsched-cli-log4j2.xml");
    }
    System.exit(commandLine().execute(args));
  }

  /**
   * The configured command line, for {@link #main} and for tests ({@code
   * commandLine().execute(args)}).
   */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    for (Class<?> subcommand : SUBCOMMANDS) {
      commandLine.addSubcommand(subcommand);
    }
    return commandLine
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Main::reportFailure);
  }

  /**
   * Without a command: show the usage and fail, so a script calling plain {@code swarmsched}
   * notices.
   */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }

  private static int reportFailure(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    err.println(commandLine.getColorScheme().errorText("swarmsched: " + oneLine(e)));
    err.flush();
    return e instanceof CommandFailure failure ? failure.exitCode() : EXIT_FAILURE;
  }

  /** The user-facing reason: the message of the exception (or of its cause), on one line. */
  static String oneLine(Throwable e) {
    Throwable shown = e;
    while (shown.getMessage() == null && shown.getCause() != null) {
      shown = shown.getCause();
    }
    String message =
        shown.getMessage() == null ? shown.getClass().getSimpleName() : shown.getMessage();
    if (!(shown instanceof CommandFailure)
        && !(shown instanceof io.swarmsched.cluster.ClusterException)
        && shown.getClass().getPackageName().startsWith("java.")) {
      message = shown.getClass().getSimpleName() + ": " + message;
    }
    return message.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
