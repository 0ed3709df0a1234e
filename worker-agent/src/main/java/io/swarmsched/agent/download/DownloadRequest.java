package io.swarmsched.agent.download;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a user (or a seed trigger) asks an agent to fetch.
 *
 * @param url the content's origin URL (http or https)
 * @param output where the content is written, in place
 * @param digest the whole content's {@code sha256:HEX}, checked at the end when given
 * @param tag distinguishes tasks of the same URL
 * @param needBackToSource go straight to the origin (seeds do)
 * @param cacheOwned the file is the agent's to delete when it stops seeding it
 * @param taskId the task's id: derived from url, digest and tag unless given (a seed trigger names
 *     the task it wants seeded)
 * @param sourceGranted the dispatcher has already sent this agent to the origin (a seed trigger):
 *     the fetch starts at once, beside the request that enrols the peer, instead of after that
 *     request's decision (one decision round trip less on the critical path of a new task)
 */
public record DownloadRequest(
    String url,
    Path output,
    Optional<String> digest,
    String tag,
    boolean needBackToSource,
    boolean cacheOwned,
    String taskId,
    boolean sourceGranted) {

  public DownloadRequest {
    if (sourceGranted && !needBackToSource) {
      throw new IllegalArgumentException("sourceGranted implies needBackToSource");
    }
    if (taskId == null || taskId.isEmpty()) {
      taskId = TaskIds.of(url, digest.orElse(null), tag);
    }
  }

  public DownloadRequest(
      String url,
      Path output,
      Optional<String> digest,
      String tag,
      boolean needBackToSource,
      boolean cacheOwned) {
    this(url, output, digest, tag, needBackToSource, cacheOwned, null, false);
  }

  /** What a seed trigger asks: task {@code taskId} from the origin, already granted. */
  public static DownloadRequest seedTrigger(
      String url, Path output, Optional<String> digest, String taskId) {
    return new DownloadRequest(url, output, digest, "", true, true, taskId, true);
  }

  public static DownloadRequest of(String url, Path output) {
    return new DownloadRequest(url, output, Optional.empty(), "", false, false);
  }

  public DownloadRequest withDigest(String sha256) {
    return new DownloadRequest(
        url, output, Optional.ofNullable(sha256), tag, needBackToSource, cacheOwned);
  }
}
