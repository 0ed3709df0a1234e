package io.swarmsched.ingest.http;

import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The filters of {@code GET /api/v1/hosts}: {@code liveness} (ONLINE, SUSPICIOUS, OFFLINE; any
 * case), {@code tag} (the host has it) and {@code idc} (equal ignoring case, as IDC affinity
 * compares). Absent filters match everything.
 */
public record HostFilter(Optional<Liveness> liveness, Optional<String> tag, Optional<String> idc) {

  public static final HostFilter ALL =
      new HostFilter(Optional.empty(), Optional.empty(), Optional.empty());

  /**
   * From query parameters; an unknown liveness is a {@link BadHeartbeatException} naming {@code
   * liveness}.
   */
  public static HostFilter fromQuery(Map<String, Optional<String>> query) {
    Optional<Liveness> liveness =
        query
            .getOrDefault("liveness", Optional.empty())
            .filter(s -> !s.isBlank())
            .map(
                s -> {
                  try {
                    return Liveness.valueOf(s.trim().toUpperCase(Locale.ROOT));
                  } catch (IllegalArgumentException e) {
                    throw new BadHeartbeatException(
                        "liveness",
                        "'" + s + "' is not one of " + Arrays.toString(Liveness.values()));
                  }
                });
    return new HostFilter(
        liveness,
        query.getOrDefault("tag", Optional.empty()).filter(s -> !s.isBlank()),
        query.getOrDefault("idc", Optional.empty()).filter(s -> !s.isBlank()));
  }

  public boolean matches(HostState host) {
    return liveness.map(l -> host.getLiveness() == l).orElse(true)
        && tag.map(t -> host.getTags().contains(t)).orElse(true)
        && idc.map(i -> i.equalsIgnoreCase(host.getIdc())).orElse(true);
  }
}
