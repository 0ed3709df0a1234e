package io.swarmsched.registry.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The registry-client settings, read from the same map as the serdes (Confluent's key names). A
 * wrong value fails with a {@link ConfigException} that names the key.
 */
public final class RegistryClientConfig {
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";

  /**
   * {@code STATIC_TOKEN}: send {@code Authorization: Bearer <bearer.auth.token>} (Confluent's Java
   * client's key; it wins over basic auth when both are set). Unset: no bearer token.
   */
  public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";

  /** The token for {@code bearer.auth.credentials.source=STATIC_TOKEN}. */
  public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";

  public static final String STATIC_TOKEN = "STATIC_TOKEN";
  public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
  public static final String REQUEST_TIMEOUT_MS = "http.read.timeout.ms";
  public static final String MAX_RETRIES = "max.retries";
  public static final String RETRIES_WAIT_MS = "retries.wait.ms";
  public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";

  public static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
  public static final int DEFAULT_MAX_RETRIES = 3;
  public static final long DEFAULT_RETRIES_WAIT_MS = 100;
  public static final long DEFAULT_RETRIES_MAX_WAIT_MS = 2_000;

  /**
   * Where basic-auth credentials come from: {@code basic.auth.user.info} or the URL's user info.
   */
  public enum CredentialsSource {
    USER_INFO,
    URL
  }

  private final Map<String, ?> values;

  public RegistryClientConfig(Map<String, ?> values) {
    this.values = values;
  }

  /** The registry URLs (comma-separated string or a list); required. */
  public List<String> urls() {
    List<String> urls = list(SCHEMA_REGISTRY_URL);
    if (urls.isEmpty()) {
      throw new ConfigException(
          "Missing required configuration \""
              + SCHEMA_REGISTRY_URL
              + "\" (e.g. http://localhost:8081, or mock://<scope> for an in-memory registry)");
    }
    long mocks =
        urls.stream().filter(u -> u.startsWith(MockSchemaRegistry.MOCK_URL_PREFIX)).count();
    if (mocks > 0 && urls.size() > 1) {
      throw new ConfigException(
          SCHEMA_REGISTRY_URL, urls, "a mock:// URL cannot be combined with other URLs");
    }
    for (String url : urls) {
      if (!url.startsWith("http://")
          && !url.startsWith("https://")
          && !url.startsWith(MockSchemaRegistry.MOCK_URL_PREFIX)) {
        throw new ConfigException(
            SCHEMA_REGISTRY_URL, url, "expected an http://, https:// or mock:// URL");
      }
    }
    return urls;
  }

  public CredentialsSource credentialsSource() {
    String raw = string(BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO");
    try {
      return CredentialsSource.valueOf(raw.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE, raw, "expected USER_INFO or URL");
    }
  }

  /** {@code user:password}, or empty. */
  public String userInfo() {
    String info = string(BASIC_AUTH_USER_INFO, "");
    if (!info.isEmpty() && !info.contains(":")) {
      throw new ConfigException(BASIC_AUTH_USER_INFO, "(hidden)", "expected user:password");
    }
    return info;
  }

  /**
   * The bearer token to send, or empty when {@code bearer.auth.credentials.source} is unset. Only
   * {@code STATIC_TOKEN} is supported (Confluent's OAuth sources need an identity provider); a
   * missing token is an error that names the key.
   */
  public String bearerToken() {
    String source = string(BEARER_AUTH_CREDENTIALS_SOURCE, "").trim();
    if (source.isEmpty()) {
      return "";
    }
    if (!source.equalsIgnoreCase(STATIC_TOKEN)) {
      throw new ConfigException(
          BEARER_AUTH_CREDENTIALS_SOURCE, source, "only " + STATIC_TOKEN + " is supported");
    }
    String token = string(BEARER_AUTH_TOKEN, "").strip();
    if (token.isEmpty()) {
      throw new ConfigException(
          BEARER_AUTH_TOKEN,
          "(empty)",
          "must be set when " + BEARER_AUTH_CREDENTIALS_SOURCE + "=" + STATIC_TOKEN);
    }
    return token;
  }

  public Duration connectTimeout() {
    return Duration.ofMillis(longValue(CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS, 1));
  }

  public Duration requestTimeout() {
    return Duration.ofMillis(longValue(REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, 1));
  }

  public int maxRetries() {
    return (int) longValue(MAX_RETRIES, DEFAULT_MAX_RETRIES, 0);
  }

  public Duration retriesWait() {
    return Duration.ofMillis(longValue(RETRIES_WAIT_MS, DEFAULT_RETRIES_WAIT_MS, 0));
  }

  public Duration retriesMaxWait() {
    return Duration.ofMillis(longValue(RETRIES_MAX_WAIT_MS, DEFAULT_RETRIES_MAX_WAIT_MS, 0));
  }

  // ---- typed access shared with SerdeConfig ----

  /** The raw value of {@code key}, or null. */
  public Object raw(String key) {
    return values.get(key);
  }

  public String string(String key, String def) {
    Object v = values.get(key);
    if (v == null) {
      return def;
    }
    if (v instanceof org.apache.kafka.common.config.types.Password p) {
      return p.value();
    }
    return v.toString();
  }

  public boolean bool(String key, boolean def) {
    Object v = values.get(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v.toString().trim().toLowerCase(Locale.ROOT);
    if (s.equals("true")) {
      return true;
    }
    if (s.equals("false")) {
      return false;
    }
    throw new ConfigException(key, v, "expected true or false");
  }

  public long longValue(String key, long def, long min) {
    Object v = values.get(key);
    if (v == null) {
      return def;
    }
    long parsed;
    if (v instanceof Number n) {
      parsed = n.longValue();
    } else {
      try {
        parsed = Long.parseLong(v.toString().trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key, v, "expected a whole number");
      }
    }
    if (parsed < min) {
      throw new ConfigException(key, v, "must be at least " + min);
    }
    return parsed;
  }

  public List<String> list(String key) {
    Object v = values.get(key);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    Collection<?> items = v instanceof Collection<?> c ? c : Arrays.asList(v.toString().split(","));
    for (Object item : items) {
      String s = String.valueOf(item).trim();
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }
}
