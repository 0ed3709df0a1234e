package io.swarmsched.cli;

import io.swarmsched.runtime.auth.HostKeys;
import io.swarmsched.runtime.auth.ServiceKeys;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.serde.SerdeConfig;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code swarmsched hosts ...}: what host ids are bound to (docs/design.md, "Security"). An
 * operator provisions a host's key before its first heartbeat, rotates a key (an agent whose key
 * file was lost or replaced is refused until then), or unbinds a host id.
 */
@Command(
    name = "hosts",
    mixinStandardHelpOptions = true,
    description = "Bind host ids to their agents' public keys on swarm.host-keys.v1.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {HostsCommand.Bind.class, HostsCommand.Unbind.class})
public final class HostsCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing command: hosts bind | hosts unbind");
  }

  /** Where the binding is written. */
  static class Target {
    @Option(
        names = {"--bootstrap-server", "-b"},
        paramLabel = "HOST:PORT",
        defaultValue = "${env:SWARM_BOOTSTRAP_SERVERS:-localhost:9092}",
        description =
            "Kafka bootstrap servers (default: $SWARM_BOOTSTRAP_SERVERS or ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(
        names = "--registry",
        paramLabel = "URL",
        defaultValue = "${env:SWARM_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
        description = "Schema registry (default: $SWARM_SCHEMA_REGISTRY_URL or ${DEFAULT-VALUE}).")
    String registry;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description =
            "Settings file of a secured cluster's principal (security/clients/admin.properties):"
                + " its Kafka credentials, and its token for the registry.")
    Path config;

    void send(String hostId, HostKey binding) {
      Map<String, Object> p = new HashMap<>();
      if (config != null) {
        io.swarmsched.runtime.config.Settings settings =
            io.swarmsched.runtime.config.Settings.load(
                new String[] {"--config", config.toString()}, Map.of(), Map.of());
        p.putAll(io.swarmsched.runtime.config.KafkaSecurity.clientConfig(settings));
        p.putAll(io.swarmsched.runtime.config.RegistryCredentials.from(settings).serdeKeys());
      }
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
      p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
      p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
      p.put(SerdeConfig.SCHEMA_REGISTRY_URL, registry);
      SpecificAvroSerializer<HostKey> values = new SpecificAvroSerializer<>();
      values.configure(p, false);
      try (KafkaProducer<String, HostKey> producer =
          new KafkaProducer<>(p, new StringSerializer(), values)) {
        producer
            .send(new ProducerRecord<>(Topics.HOST_KEYS.name(), hostId, binding))
            .get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new CommandFailure(
            "hosts: cannot write to "
                + Topics.HOST_KEYS.name()
                + " on "
                + bootstrapServers
                + ": "
                + Main.oneLine(e),
            e);
      }
    }
  }

  static void checkHostId(CommandSpec spec, String hostId) {
    if (hostId.isBlank()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "HOST must not be blank");
    }
    if (ServiceKeys.reserved(hostId)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "HOST '"
              + hostId
              + "' is reserved: '"
              + ServiceKeys.PREFIX
              + "' ids name services' keys");
    }
  }

  /** {@code swarmsched hosts bind HOST PUBKEYFILE}. */
  @Command(
      name = "bind",
      mixinStandardHelpOptions = true,
      description =
          "Bind HOST to the Ed25519 public key in PUBKEYFILE (the agent's"
              + " host-key.ed25519.pub in its data directory, base64, or a PEM PUBLIC KEY), replacing"
              + " any binding: from then on only records signed by that key speak for HOST.")
  public static final class Bind implements Callable<Integer> {
    @Spec CommandSpec spec;

    @CommandLine.Mixin Target target = new Target();

    @Parameters(index = "0", paramLabel = "HOST", description = "The host id.")
    String hostId;

    @Parameters(index = "1", paramLabel = "PUBKEYFILE", description = "The public key file.")
    Path keyFile;

    @Override
    public Integer call() {
      checkHostId(spec, hostId);
      byte[] key;
      try {
        key = HostKeys.parsePublicKeyText(Files.readString(keyFile));
      } catch (IOException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "PUBKEYFILE " + keyFile + ": cannot read it (" + e + ")");
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "PUBKEYFILE " + keyFile + ": " + e.getMessage() + " (expected an Ed25519 public key)");
      }
      target.send(
          hostId,
          HostKey.newBuilder()
              .setHostId(hostId)
              .setPublicKey(ByteBuffer.wrap(key))
              .setBoundAt(Instant.now())
              .setBoundBy("operator")
              .build());
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bound %s to key %s%n", hostId, HostKeys.keyId(key));
      out.flush();
      return 0;
    }
  }

  /** {@code swarmsched hosts unbind HOST}: a tombstone; the next heartbeat binds the id again. */
  @Command(
      name = "unbind",
      mixinStandardHelpOptions = true,
      description =
          "Remove HOST's binding; its next heartbeat binds it again (to its key, or over HTTP to"
              + " the poster's principal).")
  public static final class Unbind implements Callable<Integer> {
    @Spec CommandSpec spec;

    @CommandLine.Mixin Target target = new Target();

    @Parameters(index = "0", paramLabel = "HOST", description = "The host id.")
    String hostId;

    @Override
    public Integer call() {
      checkHostId(spec, hostId);
      target.send(hostId, null);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("unbound %s%n", hostId);
      out.flush();
      return 0;
    }
  }
}
