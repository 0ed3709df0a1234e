package io.swarmsched.scheduling.filter;

/**
 * A candidate dropped by a filter.
 *
 * @param filter the filter's {@link CandidateFilter#name()}
 * @param detail the facts behind the reason, for humans (e.g. "liveness SUSPICIOUS")
 */
public record Drop(String peerId, String hostId, String filter, DropReason reason, String detail) {}
