package io.swarmsched.scheduling.dag;

/** Thrown when an edge cannot be added; {@link #refusal()} says why. */
public final class DagException extends IllegalArgumentException {

  private final EdgeRefusal refusal;

  public DagException(EdgeRefusal refusal, String message) {
    super(message);
    this.refusal = refusal;
  }

  public EdgeRefusal refusal() {
    return refusal;
  }
}
