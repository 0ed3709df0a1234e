package io.swarmsched.runtime.config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * The settings every service shares, and their defaults: the one place they are written down.
 * Defaults work against the embedded cluster ({@code swarmsched cluster}).
 */
public final class CommonKeys {
  private CommonKeys() {}

  public static final String BOOTSTRAP_SERVERS = "swarm.bootstrap.servers";
  public static final String SCHEMA_REGISTRY_URL = "swarm.schema.registry.url";

  /** Port of the service's HTTP API (health, metrics, queries); 0 picks a free one. */
  public static final String HTTP_PORT = "swarm.http.port";

  /**
   * Interface the HTTP API binds to: loopback by default, because an API reachable from other
   * machines must have bearer tokens ({@code swarm.http.tokens.file}) or an explicit opt-out
   * ({@code swarm.http.insecure=true}); docs/design.md, security.
   */
  public static final String HTTP_HOST = "swarm.http.host";

  /**
   * host:port other instances use to reach this one's HTTP API; becomes Streams' {@code
   * application.server}. Defaults to localhost and the HTTP port.
   */
  public static final String HTTP_ADVERTISED = "swarm.http.advertised";

  /**
   * Properties file of {@code principal=token} lines: HTTP writes need one of these bearer tokens
   * (docs/design.md, security; {@code io.swarmsched.runtime.http.HttpAuth}).
   */
  public static final String HTTP_TOKENS_FILE = "swarm.http.tokens.file";

  /** When true, HTTP reads need a token too (except /health and /metrics). */
  public static final String HTTP_AUTH_READS = "swarm.http.auth.reads";

  /** The bearer token this process sends to other swarmsched HTTP APIs. */
  public static final String HTTP_TOKEN = "swarm.http.token";

  /** Explicit opt-out: an HTTP API without tokens beyond loopback (logged as a warning). */
  public static final String HTTP_INSECURE = "swarm.http.insecure";

  /** PKCS12 key store of the HTTP API's TLS key and certificate: set = serve https. */
  public static final String HTTP_TLS_KEYSTORE = "swarm.http.tls.keystore";

  public static final String HTTP_TLS_KEYSTORE_PASSWORD = "swarm.http.tls.keystore.password";

  /** PEM file of CA certificates an https client trusts. */
  public static final String HTTP_TLS_CA = "swarm.http.tls.ca";

  /** Largest request body the HTTP API accepts (413 above it). */
  public static final String HTTP_MAX_BODY_BYTES = "swarm.http.max.body.bytes";

  public static final String STATE_DIR = "swarm.state.dir";

  /**
   * {@code at_least_once} or {@code exactly_once_v2}. Exactly-once by default for every service
   * (docs/design.md, delivery): a dispatcher decision, a validated host state and a windowed load
   * sum commit together with the input that produced them, so a crash neither repeats nor loses
   * one. {@code at_least_once} is for measuring what exactly-once costs.
   */
  public static final String PROCESSING_GUARANTEE = "swarm.processing.guarantee";

  /** Distinguishes instances of one service (client ids, state dirs, logs). */
  public static final String INSTANCE_ID = "swarm.instance.id";

  /** Off-heap bytes all RocksDB stores of the process share (block cache + memtables). */
  public static final String ROCKSDB_MEMORY_BYTES = "swarm.rocksdb.memory.bytes";

  /**
   * Keys starting with this prefix are passed to Kafka Streams without it, e.g.
   * swarm.streams.num.standby.replicas=1.
   */
  public static final String STREAMS_PREFIX = "swarm.streams.";

  public static final String AT_LEAST_ONCE = "at_least_once";
  public static final String EXACTLY_ONCE_V2 = "exactly_once_v2";

  public static final long DEFAULT_ROCKSDB_MEMORY_BYTES = 64L * 1024 * 1024;
  public static final int DEFAULT_HTTP_MAX_BODY_BYTES = 1024 * 1024;

  /** The defaults layer under every {@link Settings#load}. */
  public static final Map<String, String> DEFAULTS =
      Map.of(
          BOOTSTRAP_SERVERS,
          "localhost:9092",
          SCHEMA_REGISTRY_URL,
          "http://localhost:8081",
          HTTP_PORT,
          "8080",
          HTTP_HOST,
          "127.0.0.1",
          HTTP_MAX_BODY_BYTES,
          Integer.toString(DEFAULT_HTTP_MAX_BODY_BYTES),
          STATE_DIR,
          Path.of(System.getProperty("java.io.tmpdir"), "swarmsched", "state").toString(),
          PROCESSING_GUARANTEE,
          EXACTLY_ONCE_V2,
          ROCKSDB_MEMORY_BYTES,
          Long.toString(DEFAULT_ROCKSDB_MEMORY_BYTES));

  /** {@code swarm.instance.id}, else host name and process id. */
  public static String instanceId(Settings settings) {
    return settings.optional(INSTANCE_ID).orElseGet(CommonKeys::hostAndPid);
  }

  /**
   * {@code swarm.processing.guarantee}, validated; its default from {@link #DEFAULTS} also when the
   * settings were built without the defaults layer ({@link Settings#of}).
   */
  public static String processingGuarantee(Settings settings) {
    return settings.oneOf(
        PROCESSING_GUARANTEE, DEFAULTS.get(PROCESSING_GUARANTEE), AT_LEAST_ONCE, EXACTLY_ONCE_V2);
  }

  private static String hostAndPid() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "localhost";
    }
    return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
  }
}
