package io.swarmsched.scoring.streams;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import io.swarmsched.runtime.query.AllInstances;
import io.swarmsched.runtime.query.KeyQueryRouter;
import io.swarmsched.schemas.HostScore;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;

/**
 * The score queries, answered by any instance from {@link ScoringTopology#SCORES_STORE} over IQv2:
 *
 * <ul>
 *   <li>{@code GET /api/v1/scores/{host}} — routed to the instance that owns the host;
 *   <li>{@code GET /api/v1/scores?top=K[&idc=X]} — every instance's best K (of that IDC, ignoring
 *       case), merged into the best K, best first.
 * </ul>
 */
public final class ScoreQueries {
  private ScoreQueries() {}

  public static final String LIST_NAME = "scores";
  public static final int DEFAULT_TOP = 10;
  public static final int MAX_TOP = 10_000;

  /** Best first: higher load quality, then host id for a stable order. */
  static final Comparator<ScoreJson> BEST_FIRST =
      Comparator.comparingDouble(ScoreJson::load_quality)
          .reversed()
          .thenComparing(ScoreJson::host_id);

  /**
   * Registers the routes on {@code api}; {@code advertised} is this instance's application.server.
   */
  public static void register(HttpApi api, KafkaStreams streams, String advertised) {
    KeyQueryRouter router = KeyQueryRouter.create(streams, advertised);
    AllInstances all = AllInstances.create(streams, advertised);
    api.get(
        "/api/v1/scores/{host}",
        request -> {
          String host = request.pathParam("host");
          return router.route(
              request,
              ScoringTopology.SCORES_STORE,
              host,
              Serdes.String().serializer(),
              (Optional<HostScore> score) ->
                  score
                      .map(s -> Response.ok(ScoreJson.of(s)))
                      .orElseGet(() -> Response.error(404, "host: no score for '" + host + "'")));
        });
    all.register(
        api,
        LIST_NAME,
        request -> {
          int top = top(request);
          String idc = request.query("idc").orElse(null);
          List<KeyValue<String, HostScore>> local =
              router.local().all(ScoringTopology.SCORES_STORE);
          return best(
              local.stream()
                  .map(kv -> kv.value)
                  .filter(s -> s != null && matches(s, idc))
                  .map(ScoreJson::of)
                  .toList(),
              top);
        });
    api.get(
        "/api/v1/scores",
        request -> {
          int top = top(request);
          List<JsonNode> merged = all.collect(LIST_NAME, request);
          List<ScoreJson> scores =
              merged.stream().map(n -> HttpApi.JSON.convertValue(n, ScoreJson.class)).toList();
          return Response.ok(Map.of("scores", best(scores, top)));
        });
  }

  static int top(Request request) {
    Optional<String> raw = request.query("top");
    if (raw.isEmpty()) {
      return DEFAULT_TOP;
    }
    try {
      int top = Integer.parseInt(raw.get().trim());
      if (top >= 1 && top <= MAX_TOP) {
        return top;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badRequest(
        "top: must be an integer in [1, " + MAX_TOP + "], was '" + raw.get() + "'");
  }

  static boolean matches(HostScore score, String idc) {
    return idc == null || idc.isBlank() || idc.equalsIgnoreCase(score.getIdc());
  }

  static List<ScoreJson> best(List<ScoreJson> scores, int top) {
    return scores.stream().sorted(BEST_FIRST).limit(top).toList();
  }

  /** The JSON shape of a score: the HostScore fields, snake_case, times in epoch milliseconds. */
  public record ScoreJson(
      String host_id,
      double load_quality,
      double peak_bandwidth_usage,
      double bandwidth_duration_ratio,
      double concurrent_efficiency,
      long peak_tx_bytes_per_sec,
      int saturated_buckets,
      long served_tx_bytes,
      int concurrent_uploads,
      int upload_slot_limit,
      long max_tx_bytes_per_sec,
      int horizon_buckets,
      long bucket_millis,
      long window_end,
      String idc,
      String location,
      String type,
      String piece_server_address,
      String liveness,
      long computed_at,
      String policy_id) {

    public static ScoreJson of(HostScore s) {
      var w = s.getWindow();
      return new ScoreJson(
          s.getHostId(),
          s.getLoadQuality(),
          s.getPeakBandwidthUsage(),
          s.getBandwidthDurationRatio(),
          s.getConcurrentEfficiency(),
          w.getPeakTxBytesPerSec(),
          w.getSaturatedBuckets(),
          w.getServedTxBytes(),
          w.getConcurrentUploads(),
          w.getUploadSlotLimit(),
          w.getMaxTxBytesPerSec(),
          w.getHorizonBuckets(),
          w.getBucketMillis(),
          w.getWindowEnd().toEpochMilli(),
          s.getIdc(),
          s.getLocation(),
          s.getType().name(),
          s.getPieceServerAddress(),
          s.getLiveness().name(),
          s.getComputedAt().toEpochMilli(),
          s.getPolicyId());
    }
  }
}
