package io.swarmsched.scheduling.resource;

/** Liveness of a host (mirrors the schema's Liveness): only ONLINE hosts get new children. */
public enum Liveness {
  ONLINE,
  SUSPICIOUS,
  OFFLINE
}
