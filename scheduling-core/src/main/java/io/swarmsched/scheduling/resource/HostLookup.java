package io.swarmsched.scheduling.resource;

import java.util.Map;
import java.util.Optional;

/** Looks hosts up by id (a global-table store in the dispatcher, a map in tests). */
@FunctionalInterface
public interface HostLookup {

  Optional<HostView> host(String hostId);

  static HostLookup of(Map<String, HostView> hosts) {
    return id -> Optional.ofNullable(hosts.get(id));
  }
}
