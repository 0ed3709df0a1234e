package io.swarmsched.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.ingest.topology.IngestTopology;
import io.swarmsched.ingest.topology.StoredHost;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import io.swarmsched.runtime.query.AllInstances;
import io.swarmsched.runtime.query.KeyQueryRouter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code GET /api/v1/hosts/{id}} and {@code GET /api/v1/hosts?liveness=&tag=&idc=}, answered from
 * the {@link IngestTopology#HOST_STORE} with IQv2 by any instance: a key on the instance that owns
 * it ({@link KeyQueryRouter}), a list merged from every instance ({@link AllInstances}). While the
 * group rebalances the answer is a 503, worth retrying.
 */
public final class HostQueryRoutes {
  public static final String HOSTS_PATH = "/api/v1/hosts";
  public static final String HOST_PATH = "/api/v1/hosts/{id}";
  static final String LIST_NAME = "hosts";

  private final KeyQueryRouter router;
  private final AllInstances all;

  public HostQueryRoutes(KeyQueryRouter router, AllInstances all) {
    this.router = router;
    this.all = all;
  }

  /**
   * Registers the routes; {@code advertised} is this instance's host:port (its application.server).
   */
  public static HostQueryRoutes register(HttpApi http, KafkaStreams streams, String advertised) {
    HostQueryRoutes routes =
        new HostQueryRoutes(
            KeyQueryRouter.create(streams, advertised), AllInstances.create(streams, advertised));
    routes.all.register(http, LIST_NAME, routes::localHosts);
    http.get(HOST_PATH, routes::host);
    http.get(HOSTS_PATH, routes::hosts);
    return routes;
  }

  Response host(Request request) throws InterruptedException {
    String id = request.pathParam("id");
    return router.route(
        request,
        IngestTopology.HOST_STORE,
        id,
        Serdes.String().serializer(),
        (Optional<StoredHost> host) ->
            host.map(h -> Response.ok(HostJson.toMap(h.state())))
                .orElseGet(() -> Response.error(404, "host '" + id + "' is not known")));
  }

  Response hosts(Request request) throws InterruptedException {
    filter(request);
    List<JsonNode> hosts = all.collect(LIST_NAME, request);
    hosts.sort(Comparator.comparing(h -> h.path("host_id").asText()));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("count", hosts.size());
    body.put("hosts", hosts);
    return Response.ok(body);
  }

  /** This instance's share of the list: its active partitions, filtered. */
  List<Map<String, Object>> localHosts(Request request) {
    HostFilter filter = filter(request);
    return router.local().<String, StoredHost>all(IngestTopology.HOST_STORE).stream()
        .map(kv -> kv.value.state())
        .filter(filter::matches)
        .map(HostJson::toMap)
        .toList();
  }

  private static HostFilter filter(Request request) {
    try {
      return HostFilter.fromQuery(
          Map.of(
              "liveness",
              request.query("liveness"),
              "tag",
              request.query("tag"),
              "idc",
              request.query("idc")));
    } catch (BadHeartbeatException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }
}
