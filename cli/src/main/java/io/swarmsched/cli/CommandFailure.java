package io.swarmsched.cli;

/**
 * A command failed for a reason it can state in one line; {@link Main} prints it and exits with
 * {@link #exitCode()}.
 */
public class CommandFailure extends RuntimeException {
  private final int exitCode;

  public CommandFailure(String message) {
    this(message, Main.EXIT_FAILURE, null);
  }

  public CommandFailure(String message, Throwable cause) {
    this(message, Main.EXIT_FAILURE, cause);
  }

  public CommandFailure(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
