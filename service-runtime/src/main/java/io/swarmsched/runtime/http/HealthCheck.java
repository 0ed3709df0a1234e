package io.swarmsched.runtime.http;

import java.util.Map;

/** One thing /health asks about; /health is 200 only when every registered check is up. */
@FunctionalInterface
public interface HealthCheck {
  Status check();

  record Status(boolean up, String detail, Map<String, Object> data) {
    public Status {
      data = data == null ? Map.of() : Map.copyOf(data);
    }

    public static Status up(String detail) {
      return new Status(true, detail, Map.of());
    }

    public static Status down(String detail) {
      return new Status(false, detail, Map.of());
    }
  }
}
