package io.swarmsched.agent.download;

/** A download that cannot complete; the message is the one-line reason a user sees. */
public final class DownloadException extends Exception {
  public DownloadException(String message) {
    super(message);
  }

  public DownloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
