package io.swarmsched.agent.download;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Live counters of one download, read by progress bars and summaries. */
public final class DownloadProgress {
  private final AtomicLong total = new AtomicLong(-1);
  private final AtomicLong fromPeers = new AtomicLong();
  private final AtomicLong fromOrigin = new AtomicLong();
  private final AtomicLong resumed = new AtomicLong();
  private final AtomicReference<String> phase = new AtomicReference<>("scheduling");
  private final long startNanos = System.nanoTime();

  public void total(long bytes) {
    total.set(bytes);
  }

  public void phase(String p) {
    phase.set(p);
  }

  void addPeer(long bytes) {
    fromPeers.addAndGet(bytes);
  }

  void addOrigin(long bytes) {
    fromOrigin.addAndGet(bytes);
  }

  void addResumed(long bytes) {
    resumed.addAndGet(bytes);
  }

  /** -1 while unknown. */
  public long totalBytes() {
    return total.get();
  }

  public long peerBytes() {
    return fromPeers.get();
  }

  public long originBytes() {
    return fromOrigin.get();
  }

  /** Bytes already verified on disk when the download (re)started. */
  public long resumedBytes() {
    return resumed.get();
  }

  public long doneBytes() {
    return fromPeers.get() + fromOrigin.get() + resumed.get();
  }

  public String phase() {
    return phase.get();
  }

  public double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
