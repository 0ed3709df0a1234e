package io.swarmsched.agent.download;

import java.nio.file.Path;

/** A finished download: where it is, its digest, and where its bytes came from. */
public record DownloadResult(
    String taskId,
    String peerId,
    Path path,
    long contentLength,
    String digest,
    long peerBytes,
    long originBytes,
    long resumedBytes,
    int reschedules,
    double elapsedSeconds) {}
