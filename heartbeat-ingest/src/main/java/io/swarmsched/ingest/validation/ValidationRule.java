package io.swarmsched.ingest.validation;

import java.util.Optional;

/** One check on a heartbeat. A rule looks at one concern and names the field it refuses. */
@FunctionalInterface
public interface ValidationRule {

  Optional<Violation> check(HeartbeatCandidate candidate, ValidationLimits limits);
}
