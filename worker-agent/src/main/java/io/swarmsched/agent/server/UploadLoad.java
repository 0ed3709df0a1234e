package io.swarmsched.agent.server;

/**
 * An agent's upload load as its piece server measures it: what it reports in heartbeats and to
 * children on its live-load endpoint.
 */
public record UploadLoad(
    long maxTx, long tx, int concurrentUploads, int uploadSlotLimit, long servedBytes) {}
