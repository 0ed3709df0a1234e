package io.swarmsched.agent.stage2;

/**
 * What a parent reports live about its upload load, refreshed about once a second.
 *
 * @param peerId the parent peer
 * @param maxTx its upload capacity, bytes/s (0 when unknown)
 * @param tx its current upload rate, bytes/s
 */
public record ParentLoad(String peerId, long maxTx, long tx) {}
