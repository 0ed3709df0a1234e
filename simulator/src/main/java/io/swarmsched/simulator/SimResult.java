package io.swarmsched.simulator;

import java.util.Arrays;

/**
 * What one run measured. Completion times are per peer, from its join to its last piece, seconds.
 *
 * @param completions completion time of every downloading peer that finished (seed excluded),
 *     sorted
 * @param unfinished peers present at the end that never finished (the run stopped at its time
 *     limit)
 * @param originBytes bytes read from the origin
 * @param seedBytes bytes the super seed uploaded
 * @param backToSource downloading peers sent back to source (the seed's own fetch not counted)
 * @param requests stage-1 requests made
 * @param meanExamined candidates examined per stage-1 request, on average
 * @param meanParentGive mean share of the requester's missing pieces a chosen parent held when
 *     chosen
 * @param emptyMoreRequests requests for more parents that brought none
 * @param firstChildRank finishing rank (1 = first) of the seed's first child among the downloading
 *     peers
 * @param firstChildSeconds completion time of the seed's first child
 * @param bytesSent bytes every uploader sent, origin included
 * @param bytesReceived bytes every downloader received
 * @param limitViolations steps where a host or link carried more than its limit (checked only on
 *     request)
 * @param incompleteFinished finished peers missing a piece (must be 0)
 * @param simSeconds simulated time at the end
 * @param wallMillis real time the run took
 */
public record SimResult(
    String scenario,
    String policy,
    int hosts,
    long fileBytes,
    int pieceCount,
    double bound,
    double[] completions,
    int unfinished,
    long originBytes,
    long seedBytes,
    int backToSource,
    long requests,
    double meanExamined,
    double meanParentGive,
    long emptyMoreRequests,
    int firstChildRank,
    double firstChildSeconds,
    long bytesSent,
    long bytesReceived,
    long limitViolations,
    int incompleteFinished,
    double simSeconds,
    long wallMillis) {

  public double percentile(double q) {
    if (completions.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(q * completions.length) - 1;
    return completions[Math.max(0, Math.min(completions.length - 1, i))];
  }

  public double p50() {
    return percentile(0.50);
  }

  public double p99() {
    return percentile(0.99);
  }

  public double max() {
    return completions.length == 0 ? Double.NaN : completions[completions.length - 1];
  }

  public double originFiles() {
    return (double) originBytes / fileBytes;
  }

  public double seedFiles() {
    return (double) seedBytes / fileBytes;
  }

  @Override
  public String toString() {
    return "SimResult{"
        + scenario
        + "/"
        + policy
        + " n="
        + hosts
        + " p50="
        + p50()
        + " p99="
        + p99()
        + " bound="
        + bound
        + " done="
        + completions.length
        + " unfinished="
        + unfinished
        + " "
        + Arrays.toString(new long[] {originBytes, seedBytes})
        + "}";
  }
}
