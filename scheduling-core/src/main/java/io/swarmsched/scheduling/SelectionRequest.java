package io.swarmsched.scheduling;

import io.swarmsched.scheduling.ledger.OptimisticLedger;
import io.swarmsched.scheduling.resource.HostLookup;
import io.swarmsched.scheduling.resource.ScoreLookup;
import io.swarmsched.scheduling.resource.Task;
import java.util.Objects;
import java.util.Set;

/**
 * The inputs of one stage-1 choice.
 *
 * @param requestId seeds random policies; may be empty
 * @param task the task, its peers and DAG (the requesting peer must be in it)
 * @param peerId the requesting peer
 * @param blocklist parent peer ids not to choose
 * @param nowMillis stream time of the request
 */
public record SelectionRequest(
    String requestId,
    Task task,
    String peerId,
    Set<String> blocklist,
    HostLookup hosts,
    ScoreLookup scores,
    OptimisticLedger ledger,
    long nowMillis) {

  public SelectionRequest {
    requestId = requestId == null ? "" : requestId;
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(peerId, "peerId");
    blocklist = blocklist == null ? Set.of() : Set.copyOf(blocklist);
    Objects.requireNonNull(hosts, "hosts");
    Objects.requireNonNull(scores, "scores");
    Objects.requireNonNull(ledger, "ledger");
  }
}
