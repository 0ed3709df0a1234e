package io.swarmsched.cluster;

import io.swarmsched.topics.Topic;
import io.swarmsched.topics.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Least privilege on the embedded broker (docs/design.md, security): SCRAM credentials for every
 * principal and the ACLs that allow each only what it needs. Idempotent; applied on every secured
 * start and when an agent principal is added.
 *
 * <ul>
 *   <li>each service: read and write the catalog topics it uses (heartbeat-ingest and the
 *       dispatcher also swarm.host-keys.v1, the dispatcher swarm.job-events.v1), and everything
 *       named after its Streams application id (internal topics, its consumer group, its
 *       transactional ids);
 *   <li>an agent: write heartbeats, peer and piece events, schedule requests, task metadata (a seed
 *       publishes it), job events (its jobs' lifecycle) and dead letters; read decisions and task
 *       metadata; its consumer groups ({@code swarm-agent-} prefix); nothing else;
 *   <li>the registry: the {@code _schemas} topic (and, for Confluent's registry in compose, the
 *       {@code schema-registry} consumer groups);
 *   <li>broker and admin: super users (server.properties), so no ACL.
 * </ul>
 */
public final class ClusterAccess {
  private static final Logger log = LoggerFactory.getLogger(ClusterAccess.class);
  private static final int SCRAM_ITERATIONS = 8192;

  private ClusterAccess() {}

  /** Topics an agent may write. */
  static final List<Topic> AGENT_WRITES =
      List.of(
          Topics.HOST_HEARTBEATS,
          Topics.PEER_EVENTS,
          Topics.PIECE_EVENTS,
          Topics.SCHEDULE_REQUESTS,
          Topics.TASK_METADATA,
          Topics.JOB_EVENTS,
          Topics.DEAD_LETTERS);

  /** Topics an agent may read. */
  static final List<Topic> AGENT_READS = List.of(Topics.SCHEDULE_DECISIONS, Topics.TASK_METADATA);

  /** Agents' consumer groups: {@code swarm-agent-<host id>}. */
  static final String AGENT_GROUP_PREFIX = "swarm-agent-";

  /** A service principal's rights: the catalog topics it reads and writes, its app-id prefix. */
  record ServiceGrant(List<Topic> reads, List<Topic> writes, Optional<String> applicationId) {}

  static final Map<String, ServiceGrant> SERVICES = services();

  private static Map<String, ServiceGrant> services() {
    Map<String, ServiceGrant> m = new LinkedHashMap<>();
    m.put(
        ClusterSecurity.INGEST,
        new ServiceGrant(
            List.of(Topics.HOST_HEARTBEATS, Topics.HOSTS, Topics.HOST_KEYS, Topics.DEAD_LETTERS),
            List.of(Topics.HOST_HEARTBEATS, Topics.HOSTS, Topics.HOST_KEYS, Topics.DEAD_LETTERS),
            Optional.of("swarm-heartbeat-ingest")));
    m.put(
        ClusterSecurity.SCORING,
        new ServiceGrant(
            List.of(Topics.HOSTS, Topics.PIECE_EVENTS, Topics.HOST_SCORES),
            List.of(Topics.HOST_SCORES, Topics.DEAD_LETTERS),
            Optional.of("swarm-scoring")));
    m.put(
        ClusterSecurity.DISPATCHER,
        new ServiceGrant(
            List.of(
                Topics.HOSTS,
                Topics.HOST_SCORES,
                Topics.PEER_EVENTS,
                Topics.PIECE_EVENTS,
                Topics.SCHEDULE_REQUESTS,
                Topics.TASK_METADATA,
                Topics.SCHEDULE_DECISIONS,
                Topics.HOST_KEYS,
                Topics.JOB_EVENTS),
            List.of(
                Topics.SCHEDULE_DECISIONS,
                Topics.SCHEDULE_REQUESTS,
                Topics.PEER_EVENTS,
                Topics.HOST_KEYS,
                Topics.JOB_EVENTS,
                Topics.DEAD_LETTERS),
            Optional.of("swarm-dispatcher")));
    m.put(ClusterSecurity.DASHBOARD, new ServiceGrant(List.of(), List.of(), Optional.empty()));
    return m;
  }

  /** Upserts every principal's SCRAM credential and applies every ACL. */
  public static void apply(Admin admin, ClusterSecurity security, java.time.Duration timeout) {
    List<String> principals = new ArrayList<>(security.principals());
    principals.removeAll(List.of(ClusterSecurity.BROKER, ClusterSecurity.ADMIN));
    upsertCredentials(admin, security, principals, timeout);
    List<AclBinding> acls = new ArrayList<>();
    for (String p : principals) {
      acls.addAll(aclsFor(p));
    }
    createAcls(admin, acls, timeout);
    log.info(
        "Kafka ACLs applied: {} principals, {} bindings (deny by default; super users: {}, {})",
        principals.size(),
        acls.size(),
        ClusterSecurity.BROKER,
        ClusterSecurity.ADMIN);
  }

  /** Adds one principal (typically a new agent) to a running secured cluster. */
  public static void addPrincipal(
      Admin admin, ClusterSecurity security, String principal, java.time.Duration timeout) {
    security.ensurePrincipal(principal);
    upsertCredentials(admin, security, List.of(principal), timeout);
    createAcls(admin, aclsFor(principal), timeout);
  }

  /** The ACL bindings of {@code principal} (by its name: a service name or {@code agent-*}). */
  static List<AclBinding> aclsFor(String principal) {
    String user = "User:" + principal;
    List<AclBinding> acls = new ArrayList<>();
    if (principal.startsWith(ClusterSecurity.AGENT_PREFIX)) {
      AGENT_WRITES.forEach(t -> acls.add(topic(user, t.name(), AclOperation.WRITE)));
      AGENT_READS.forEach(t -> acls.add(topic(user, t.name(), AclOperation.READ)));
      acls.add(prefixed(user, ResourceType.GROUP, AGENT_GROUP_PREFIX, AclOperation.READ));
      return acls;
    }
    if (principal.equals(ClusterSecurity.REGISTRY)) {
      acls.add(
          binding(
              user,
              new ResourcePattern(
                  ResourceType.TOPIC, LocalCluster.REGISTRY_TOPIC, PatternType.LITERAL),
              AclOperation.ALL));
      // Confluent's registry (docker-compose.yml) elects its leader in group schema-registry
      acls.add(
          binding(
              user,
              new ResourcePattern(ResourceType.GROUP, "schema-registry", PatternType.PREFIXED),
              AclOperation.READ));
      return acls;
    }
    ServiceGrant grant = SERVICES.get(principal);
    if (grant == null) {
      return acls; // an unknown principal gets nothing: deny by default
    }
    grant.reads().forEach(t -> acls.add(topic(user, t.name(), AclOperation.READ)));
    grant.writes().forEach(t -> acls.add(topic(user, t.name(), AclOperation.WRITE)));
    grant
        .applicationId()
        .ifPresent(
            app -> {
              // Streams names its internal topics, its group and its transactional ids after the
              // application id.
              acls.add(prefixed(user, ResourceType.TOPIC, app, AclOperation.ALL));
              acls.add(prefixed(user, ResourceType.GROUP, app, AclOperation.ALL));
              acls.add(prefixed(user, ResourceType.TRANSACTIONAL_ID, app, AclOperation.ALL));
            });
    // plain consumers a service runs beside its Streams application name their groups after it
    acls.add(prefixed(user, ResourceType.GROUP, "swarm-" + principal, AclOperation.READ));
    return acls;
  }

  private static AclBinding topic(String user, String name, AclOperation op) {
    return binding(user, new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL), op);
  }

  private static AclBinding prefixed(
      String user, ResourceType type, String prefix, AclOperation op) {
    return binding(user, new ResourcePattern(type, prefix, PatternType.PREFIXED), op);
  }

  private static AclBinding binding(String user, ResourcePattern pattern, AclOperation op) {
    return new AclBinding(pattern, new AccessControlEntry(user, "*", op, AclPermissionType.ALLOW));
  }

  private static void upsertCredentials(
      Admin admin, ClusterSecurity security, List<String> principals, java.time.Duration timeout) {
    if (principals.isEmpty()) {
      return;
    }
    List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> alterations =
        new ArrayList<>();
    for (String p : principals) {
      alterations.add(
          new UserScramCredentialUpsertion(
              p,
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS),
              security.password(p)));
    }
    await(admin.alterUserScramCredentials(alterations).all(), "storing SCRAM credentials", timeout);
  }

  private static void createAcls(Admin admin, List<AclBinding> acls, java.time.Duration timeout) {
    if (!acls.isEmpty()) {
      await(admin.createAcls(acls).all(), "creating ACLs", timeout);
    }
  }

  private static void await(
      org.apache.kafka.common.KafkaFuture<Void> f, String what, java.time.Duration timeout) {
    try {
      f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("Interrupted while " + what);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new ClusterException(what + " on the broker failed: " + cause, cause);
    }
  }
}
