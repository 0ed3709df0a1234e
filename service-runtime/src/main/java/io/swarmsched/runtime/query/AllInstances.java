package io.swarmsched.runtime.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * List queries over state spread across instances: each instance lists what its active partitions
 * hold (a "local list", served at {@code /_swarm/local/<name>} for the others), and the instance
 * that received the request merges its own list with every other instance's. If an instance cannot
 * answer within the retry window, the whole request is a 503 rather than a silently partial list.
 *
 * <pre>{@code
 * AllInstances all = AllInstances.create(service.streams(), advertised);
 * all.register(api, "hosts", req -> router.local().<String, HostState>all(HOST_STORE).stream()
 *     .map(kv -> HostJson.of(kv.value)).filter(byQuery(req)).toList());
 * api.get("/api/v1/hosts", req -> Response.ok(Map.of("hosts", all.collect("hosts", req))));
 * }</pre>
 */
public final class AllInstances {
  public static final String LOCAL_PATH_PREFIX = "/_swarm/local/";

  /** One instance's share of a list query; items must be JSON-serializable (Jackson). */
  @FunctionalInterface
  public interface LocalList {
    List<?> list(Request request) throws Exception;
  }

  private final StoreAccess access;
  private final HostInfo self;
  private final QueryForwarder forwarder;
  private final Duration retryFor;
  private final Map<String, LocalList> lists = new ConcurrentHashMap<>();

  public AllInstances(
      StoreAccess access, HostInfo self, QueryForwarder forwarder, Duration retryFor) {
    this.access = access;
    this.self = self;
    this.forwarder = forwarder;
    this.retryFor = retryFor;
  }

  public static AllInstances create(KafkaStreams streams, String advertised) {
    HostInfo self = HostInfo.buildFromEndpoint(advertised);
    return new AllInstances(
        StoreAccess.of(streams),
        self,
        new QueryForwarder(self, Duration.ofSeconds(5), Duration.ofSeconds(30)),
        KeyQueryRouter.DEFAULT_RETRY_FOR);
  }

  /** Registers {@code local} under {@code name} and serves it to other instances. */
  public AllInstances register(HttpApi api, String name, LocalList local) {
    lists.put(name, local);
    api.get(
        LOCAL_PATH_PREFIX + name,
        request -> {
          try {
            return Response.ok(local.list(request))
                .withHeader(QueryForwarder.ANSWERED_BY, QueryForwarder.address(self));
          } catch (NotQueryableException e) {
            throw ApiException.unavailable(e.getMessage());
          }
        });
    return this;
  }

  /**
   * This instance's list merged with every other instance's, for the same query parameters. Throws
   * a 503 {@link ApiException} when some instance cannot answer in time.
   */
  public List<JsonNode> collect(String name, Request request) throws InterruptedException {
    LocalList local = lists.get(name);
    if (local == null) {
      throw new IllegalArgumentException("no local list registered as " + name);
    }
    long deadline = System.nanoTime() + retryFor.toNanos();
    while (true) {
      String problem;
      try {
        return collectOnce(name, local, request);
      } catch (NotQueryableException e) {
        problem = e.getMessage();
      }
      if (System.nanoTime() > deadline) {
        throw ApiException.unavailable(
            "cannot list "
                + name
                + " from every instance right now: "
                + problem
                + "; retry shortly");
      }
      Thread.sleep(KeyQueryRouter.BACKOFF_MS);
    }
  }

  private List<JsonNode> collectOnce(String name, LocalList local, Request request) {
    KafkaStreams.State state = access.state();
    if (state != KafkaStreams.State.RUNNING) {
      throw new NotQueryableException("streams application is " + state);
    }
    Set<HostInfo> others = new LinkedHashSet<>();
    for (StreamsMetadata metadata : access.metadataForAllClients()) {
      if (!self.equals(metadata.hostInfo())) {
        others.add(metadata.hostInfo());
      }
    }
    List<JsonNode> merged = new ArrayList<>();
    try {
      for (Object item : local.list(request)) {
        merged.add(HttpApi.JSON.valueToTree(item));
      }
    } catch (NotQueryableException | ApiException e) {
      throw e instanceof NotQueryableException n ? n : new NotQueryableException(e.getMessage());
    } catch (Exception e) {
      throw new IllegalStateException("local list " + name + " failed: " + e, e);
    }
    String path =
        LOCAL_PATH_PREFIX + name + (request.rawQuery() == null ? "" : "?" + request.rawQuery());
    for (HostInfo other : others) {
      Response response;
      try {
        response = forwarder.send(other, "GET", path, null, null);
      } catch (IOException e) {
        throw new NotQueryableException(
            "instance " + QueryForwarder.address(other) + " unreachable: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NotQueryableException("interrupted");
      }
      if (response.status() != 200) {
        throw new NotQueryableException(
            "instance "
                + QueryForwarder.address(other)
                + " answered "
                + response.status()
                + ": "
                + response.bodyText());
      }
      try {
        JsonNode items = HttpApi.JSON.readTree(response.body());
        if (!items.isArray()) {
          throw new NotQueryableException(
              "instance " + QueryForwarder.address(other) + " did not answer a list");
        }
        items.forEach(merged::add);
      } catch (IOException e) {
        throw new NotQueryableException(
            "instance " + QueryForwarder.address(other) + " answered malformed JSON");
      }
    }
    return merged;
  }
}
