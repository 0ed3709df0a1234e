package io.swarmsched.scheduling.resource;

import java.util.Map;
import java.util.Optional;

/**
 * Looks published host scores up by host id (a global-table store in the dispatcher, a map in
 * tests).
 */
@FunctionalInterface
public interface ScoreLookup {

  Optional<ScoreView> score(String hostId);

  static ScoreLookup of(Map<String, ScoreView> scores) {
    return id -> Optional.ofNullable(scores.get(id));
  }

  static ScoreLookup none() {
    return id -> Optional.empty();
  }
}
