package io.swarmsched.runtime.auth;

/**
 * Services that write records naming a host (the dispatcher's patrol makes a silent peer LEAVE)
 * sign them with their own key, bound on {@code swarm.host-keys.v1} under a reserved id: {@value
 * #PREFIX}{@code <service>:<instance>}. No heartbeat may claim such an id (heartbeat-ingest refuses
 * it), so only a service can hold one; a record signed by a key bound under this prefix speaks for
 * any host.
 */
public final class ServiceKeys {
  private ServiceKeys() {}

  public static final String PREFIX = "service:";

  public static String bindingId(String service, String instance) {
    return PREFIX + service + ":" + instance;
  }

  public static boolean reserved(String hostId) {
    return hostId != null && hostId.startsWith(PREFIX);
  }
}
