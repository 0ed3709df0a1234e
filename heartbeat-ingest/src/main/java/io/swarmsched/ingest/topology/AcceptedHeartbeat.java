package io.swarmsched.ingest.topology;

import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostKey;

/**
 * A heartbeat that passed decoding, validation and authentication, with the binding its host id
 * gets from it (null when it was already bound or binds nothing). Lives only between processors of
 * the ingest topology (no serde).
 */
record AcceptedHeartbeat(HostHeartbeat heartbeat, HostKey newBinding) {}
