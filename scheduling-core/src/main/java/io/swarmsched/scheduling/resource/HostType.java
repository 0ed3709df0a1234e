package io.swarmsched.scheduling.resource;

/** Role of a host in the swarm (mirrors the schema's HostType). */
public enum HostType {
  NORMAL,
  /** Triggered to fetch from the origin when no peer holds a task yet. */
  SUPER_SEED;

  public boolean isSeed() {
    return this != NORMAL;
  }
}
