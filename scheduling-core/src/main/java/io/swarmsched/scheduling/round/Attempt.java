package io.swarmsched.scheduling.round;

/**
 * How far a request has come: rounds run so far, the empty ones among them (no parent, or no
 * worker), and those spent waiting for a triggered seed (which are not empty rounds). A new request
 * starts at {@link #FIRST}.
 */
public record Attempt(int rounds, int emptyRounds, int seedRounds) {

  public static final Attempt FIRST = new Attempt(0, 0, 0);

  public Attempt {
    if (rounds < 0 || emptyRounds < 0 || seedRounds < 0) {
      throw new IllegalArgumentException(
          "round counts must be >= 0: " + rounds + "/" + emptyRounds + "/" + seedRounds);
    }
  }

  /** The number of the round being run: what its decision records as its attempt. */
  public int current() {
    return rounds + 1;
  }

  Attempt empty() {
    return new Attempt(rounds, emptyRounds + 1, seedRounds);
  }

  Attempt seedWait() {
    return new Attempt(rounds, emptyRounds, seedRounds + 1);
  }

  /** The counts carried into the next round once this one has been run. */
  Attempt next() {
    return new Attempt(rounds + 1, emptyRounds, seedRounds);
  }
}
