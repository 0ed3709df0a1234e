package io.swarmsched.agent.get;

import io.swarmsched.agent.download.DownloadProgress;

/** A download's progress at one moment, whether it runs in this process or in a daemon. */
public record DownloadSnapshot(
    String phase,
    long totalBytes,
    long doneBytes,
    long peerBytes,
    long originBytes,
    long resumedBytes,
    double elapsedSeconds) {

  public static DownloadSnapshot of(DownloadProgress p) {
    return new DownloadSnapshot(
        p.phase(),
        p.totalBytes(),
        p.doneBytes(),
        p.peerBytes(),
        p.originBytes(),
        p.resumedBytes(),
        p.elapsedSeconds());
  }
}
