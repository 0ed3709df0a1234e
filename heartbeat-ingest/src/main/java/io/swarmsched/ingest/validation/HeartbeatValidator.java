package io.swarmsched.ingest.validation;

import io.swarmsched.schemas.HostHeartbeat;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a heartbeat is accepted. Plain Java: the Streams processor and the HTTP gateway
 * both call it, so a heartbeat is judged the same way whichever way it came in.
 */
public final class HeartbeatValidator {
  private final ValidationLimits limits;
  private final List<ValidationRule> rules;

  public HeartbeatValidator(ValidationLimits limits) {
    this(limits, HeartbeatRules.ALL);
  }

  public HeartbeatValidator(ValidationLimits limits, List<ValidationRule> rules) {
    this.limits = limits;
    this.rules = List.copyOf(rules);
  }

  /** The first rule the heartbeat breaks, or empty when it is acceptable. */
  public Optional<Violation> validate(HeartbeatCandidate candidate) {
    for (ValidationRule rule : rules) {
      Optional<Violation> violation = rule.check(candidate, limits);
      if (violation.isPresent()) {
        return violation;
      }
    }
    return Optional.empty();
  }

  public Optional<Violation> validate(
      String key, HostHeartbeat heartbeat, int sizeBytes, Instant now) {
    return validate(new HeartbeatCandidate(key, heartbeat, sizeBytes, now));
  }

  public ValidationLimits limits() {
    return limits;
  }
}
