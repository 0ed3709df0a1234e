package io.swarmsched.scheduling.dag;

/** Why the DAG refused an edge. */
public enum EdgeRefusal {
  UNKNOWN_FROM("the parent vertex does not exist"),
  UNKNOWN_TO("the child vertex does not exist"),
  SELF_LOOP("an edge from a vertex to itself"),
  EXISTS("the edge exists already"),
  CYCLE("the edge would close a cycle");

  private final String description;

  EdgeRefusal(String description) {
    this.description = description;
  }

  public String describe() {
    return description;
  }
}
