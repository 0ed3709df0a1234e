package io.swarmsched.runtime.config;

/**
 * A missing or wrong setting. The message names the key, the bad value and where it came from. An
 * {@link IllegalArgumentException}, so callers that refuse bad arguments in general (a CLI exiting
 * 2, an HTTP 400) treat it the same way.
 */
public class ConfigException extends IllegalArgumentException {
  private final String key;

  public ConfigException(String key, String message) {
    super(key == null ? message : key + ": " + message);
    this.key = key;
  }

  public ConfigException(String key, String message, Throwable cause) {
    super(key == null ? message : key + ": " + message, cause);
    this.key = key;
  }

  /** The offending key, or null when the problem is not about one key (an unreadable file). */
  public String key() {
    return key;
  }
}
