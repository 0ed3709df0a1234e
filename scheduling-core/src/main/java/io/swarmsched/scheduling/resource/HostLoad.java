package io.swarmsched.scheduling.resource;

/**
 * A host's live load from its last heartbeat (mirrors the schema's HostLoad, the fields scheduling
 * uses).
 */
public record HostLoad(long txBytesPerSec, int concurrentUploads, int runningTasks) {

  public static final HostLoad IDLE = new HostLoad(0, 0, 0);
}
