package io.swarmsched.ingest.validation;

import io.swarmsched.schemas.HostHeartbeat;
import java.time.Instant;

/**
 * A decoded heartbeat as it arrived, with what the rules need besides its fields.
 *
 * @param key the record key (the host id it was sent under); null when absent
 * @param heartbeat the decoded value
 * @param sizeBytes serialized size of key plus value as received
 * @param now the receiver's clock, for the future-timestamp rule
 */
public record HeartbeatCandidate(String key, HostHeartbeat heartbeat, int sizeBytes, Instant now) {}
