package io.swarmsched.registry.server;

import io.swarmsched.runtime.http.HttpAuth;
import java.util.Optional;
import java.util.Set;

/**
 * Who may change the registry (docs/design.md, security): with tokens configured, registering a
 * schema needs an authenticated principal (any: every service and agent registers the schemas of
 * what it writes), and deleting or changing a compatibility level needs one of {@code admins},
 * because an agent that could set NONE or delete a subject could make every reader fail. Reads
 * (GETs, and the POSTs that only look up: {@code POST /subjects/{s}}, compatibility checks) stay
 * open unless the tokens say reads need one too.
 *
 * <p>Credentials are the swarmsched HTTP tokens: {@code Authorization: Bearer <token>}, or basic
 * auth with the principal as user and its token as password (what Confluent's clients send with
 * {@code basic.auth.user.info}).
 *
 * @param auth the HTTP tokens ({@link HttpAuth#none()}: everything open, e.g. loopback dev mode)
 * @param admins principals that may delete subjects and versions and change compatibility levels
 */
public record RegistryAccess(HttpAuth auth, Set<String> admins) {

  /** Everything open: no tokens. */
  public static RegistryAccess open() {
    return new RegistryAccess(HttpAuth.none(), Set.of());
  }

  /** Principals allowed to delete and reconfigure by default: the cluster's super user. */
  public static final Set<String> DEFAULT_ADMINS = Set.of("admin");

  public RegistryAccess {
    auth = auth == null ? HttpAuth.none() : auth;
    admins = admins == null ? DEFAULT_ADMINS : Set.copyOf(admins);
  }

  public static RegistryAccess tokens(HttpAuth auth) {
    return new RegistryAccess(auth, DEFAULT_ADMINS);
  }

  /** What a route asks of its caller. */
  enum Need {
    READ,
    WRITE,
    ADMIN
  }

  /**
   * Checks {@code authorization} (the request's header) against what the route needs; returns the
   * principal (empty when auth is off or a read needs none).
   *
   * @throws RegistryError 401 (40101) without valid credentials, 403 (40301) for a principal that
   *     may not do this
   */
  Optional<String> check(Need need, String authorization, String what) {
    if (!auth.enabled()) {
      return Optional.empty();
    }
    if (need == Need.READ && !auth.readsNeedToken()) {
      return Optional.empty();
    }
    Optional<String> principal = auth.authenticate(authorization);
    if (principal.isEmpty()) {
      throw new RegistryError(
          401,
          40101,
          "Unauthorized: "
              + what
              + " needs 'Authorization: Bearer <token>' (or basic auth principal:token) of a"
              + " swarmsched principal");
    }
    if (need == Need.ADMIN && !admins.contains(principal.get())) {
      throw new RegistryError(
          403,
          40301,
          "Forbidden: principal "
              + principal.get()
              + " may not "
              + what
              + " (only "
              + String.join(", ", admins.stream().sorted().toList())
              + ")");
    }
    return principal;
  }
}
