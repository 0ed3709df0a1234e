package io.swarmsched.cluster;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.KafkaSecurity;
import io.swarmsched.runtime.http.HttpAuth;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * The embedded cluster's own certificate authority, broker certificate and credentials, generated
 * on the first secured start and kept in {@code <data dir>/security/} (docs/design.md, security):
 *
 * <ul>
 *   <li>{@code ca.crt} (PEM, what clients trust), {@code ca.p12} (the CA key), {@code broker.p12}
 *       (the broker's key and certificate, SANs: the advertised address, this machine's names,
 *       localhost, 127.0.0.1); {@code store.password} protects the PKCS12 files;
 *   <li>{@code credentials.properties}: {@code principal=password}, the SCRAM-SHA-512 password of
 *       each Kafka principal ({@code User:<principal>});
 *   <li>{@code http-tokens.properties}: {@code principal=token}, each principal's HTTP bearer token
 *       (every service's {@code swarm.http.tokens.file});
 *   <li>{@code clients/<principal>.properties}: the settings a process running as that principal
 *       starts with ({@code --config FILE}), the CA inlined so the file alone is enough on another
 *       machine.
 * </ul>
 *
 * Everything is reused on restart; the broker certificate is re-issued by the same CA when the
 * addresses it must name change (so clients keep trusting it). Files are readable by the owner
 * only. Rotating: delete a principal's lines (or the whole directory for a new CA) and restart.
 */
public final class ClusterSecurity {
  /** The broker's own principal: inter-broker and controller connections; a super user. */
  public static final String BROKER = "broker";

  /** The operator's principal (CLI commands, topic provisioning, ACLs); a super user. */
  public static final String ADMIN = "admin";

  public static final String INGEST = "ingest";
  public static final String SCORING = "scoring";
  public static final String DISPATCHER = "dispatcher";
  public static final String REGISTRY = "registry";
  public static final String DASHBOARD = "dashboard";

  /** Agents' principals start with this: {@code agent-<name>}. */
  public static final String AGENT_PREFIX = "agent-";

  public static final List<String> SERVICE_PRINCIPALS =
      List.of(BROKER, ADMIN, INGEST, SCORING, DISPATCHER, REGISTRY, DASHBOARD);

  public static final String MECHANISM = "SCRAM-SHA-512";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration VALIDITY = Duration.ofDays(3650);

  private final Path dir;
  private final String storePassword;
  private final Map<String, String> passwords;
  private final Map<String, String> tokens;

  private ClusterSecurity(
      Path dir, String storePassword, Map<String, String> passwords, Map<String, String> tokens) {
    this.dir = dir;
    this.storePassword = storePassword;
    this.passwords = passwords;
    this.tokens = tokens;
  }

  /** {@code <data dir>/security}. */
  public static Path directory(Path dataDir) {
    return dataDir.resolve("security");
  }

  /** True when a secured start already generated the material in {@code dataDir}. */
  public static boolean exists(Path dataDir) {
    return Files.exists(directory(dataDir).resolve("ca.crt"));
  }

  /**
   * Loads the material in {@code dataDir}, generating what is missing: the CA, a broker certificate
   * naming every one of {@code brokerNames}, and credentials for the service principals.
   */
  /**
   * The material already in {@code dataDir}, generating nothing (a reader on a read-only volume,
   * e.g. compose's {@code topics --acls}); a clear error when there is none.
   */
  public static ClusterSecurity existing(Path dataDir) {
    Path dir = directory(dataDir);
    try {
      if (!Files.exists(dir.resolve("credentials.properties"))) {
        throw new ClusterException(
            "No credentials in "
                + dir
                + " (swarmsched credentials --dir "
                + dataDir
                + " makes them)");
      }
      return new ClusterSecurity(
          dir,
          Files.readString(dir.resolve("store.password")).strip(),
          load(dir.resolve("credentials.properties")),
          load(dir.resolve(TOKENS_FILE_NAME)));
    } catch (IOException e) {
      throw new ClusterException(
          "Cannot read the credentials in " + dir + ": " + e.getMessage(), e);
    }
  }

  public static synchronized ClusterSecurity ensure(Path dataDir, List<String> brokerNames) {
    Path dir = directory(dataDir);
    try {
      Files.createDirectories(dir.resolve("clients"));
      ownerOnly(dir);
      String storePassword = readOrCreate(dir.resolve("store.password"), () -> secret(24));
      if (!Files.exists(dir.resolve("ca.p12")) || !Files.exists(dir.resolve("ca.crt"))) {
        generateCa(dir, storePassword);
      }
      Set<String> names = new LinkedHashSet<>(brokerNames);
      names.addAll(List.of("localhost", "127.0.0.1"));
      Path sansFile = dir.resolve("broker.names");
      String wanted = String.join(",", names);
      String issued = Files.exists(sansFile) ? Files.readString(sansFile).strip() : "";
      if (!Files.exists(dir.resolve("broker.p12")) || !issued.equals(wanted)) {
        generateBroker(dir, storePassword, List.copyOf(names));
        Files.writeString(sansFile, wanted);
      }
      Map<String, String> passwords = load(dir.resolve("credentials.properties"));
      Map<String, String> tokens = load(dir.resolve(TOKENS_FILE_NAME));
      ClusterSecurity security = new ClusterSecurity(dir, storePassword, passwords, tokens);
      for (String principal : SERVICE_PRINCIPALS) {
        security.ensurePrincipal(principal);
      }
      return security;
    } catch (IOException | GeneralSecurityException e) {
      throw new ClusterException(
          "Cannot prepare the cluster's certificates and credentials in "
              + dir
              + ": "
              + e.getMessage(),
          e);
    }
  }

  static final String TOKENS_FILE_NAME = "http-tokens.properties";

  /**
   * Creates the principal's password and token when missing (stored at once); true when it was new.
   */
  public synchronized boolean ensurePrincipal(String principal) {
    requireName(principal);
    boolean added = false;
    try {
      if (!passwords.containsKey(principal)) {
        passwords.put(principal, secret(24));
        store(dir.resolve("credentials.properties"), passwords, "SCRAM-SHA-512 passwords");
        added = true;
      }
      if (!tokens.containsKey(principal)) {
        tokens.put(principal, secret(32));
        store(dir.resolve(TOKENS_FILE_NAME), tokens, "HTTP bearer tokens");
        added = true;
      }
    } catch (IOException e) {
      throw new ClusterException("Cannot store credentials in " + dir + ": " + e.getMessage(), e);
    }
    return added;
  }

  public Path directory() {
    return dir;
  }

  public Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  public Path brokerKeyStore() {
    return dir.resolve("broker.p12");
  }

  public Path tokensFile() {
    return dir.resolve(TOKENS_FILE_NAME);
  }

  public String storePassword() {
    return storePassword;
  }

  public synchronized Set<String> principals() {
    return Set.copyOf(passwords.keySet());
  }

  public synchronized String password(String principal) {
    String p = passwords.get(principal);
    if (p == null) {
      throw new ClusterException("No credentials for principal " + principal);
    }
    return p;
  }

  public synchronized String token(String principal) {
    String t = tokens.get(principal);
    if (t == null) {
      throw new ClusterException("No HTTP token for principal " + principal);
    }
    return t;
  }

  /**
   * The swarmsched settings of a process running as {@code principal}: Kafka over TLS with SCRAM,
   * its HTTP token, and the CA inlined (so the map, written as a file, is all another machine
   * needs).
   */
  public Map<String, String> clientSettings(
      String principal, String bootstrapServers, String registryUrl) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(CommonKeys.BOOTSTRAP_SERVERS, bootstrapServers);
    if (registryUrl != null) {
      m.put(CommonKeys.SCHEMA_REGISTRY_URL, registryUrl);
    }
    m.put(KafkaSecurity.PROTOCOL, "SASL_SSL");
    m.put(KafkaSecurity.MECHANISM, MECHANISM);
    m.put(KafkaSecurity.USERNAME, principal);
    m.put(KafkaSecurity.PASSWORD, password(principal));
    m.put(KafkaSecurity.CA_PEM, caPem());
    m.put(HttpAuth.CLIENT_TOKEN, token(principal));
    return m;
  }

  /** Writes {@link #clientSettings} to {@code clients/<principal>.properties}; returns the path. */
  public Path writeClientFile(String principal, String bootstrapServers, String registryUrl) {
    Path file = dir.resolve("clients").resolve(principal + ".properties");
    try {
      store(
          file,
          new TreeMap<>(clientSettings(principal, bootstrapServers, registryUrl)),
          "swarmsched client settings for principal "
              + principal
              + " (secret: holds its password and token)");
    } catch (IOException e) {
      throw new ClusterException("Cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  /** Kafka client keys for {@code principal} (for the cluster's own admin and registry clients). */
  public Map<String, Object> kafkaClient(String principal) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("security.protocol", "SASL_SSL");
    c.put("sasl.mechanism", MECHANISM);
    c.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + principal
            + "\" password=\""
            + password(principal)
            + "\";");
    c.put("ssl.truststore.type", "PEM");
    c.put("ssl.truststore.location", caCertificate().toString());
    return c;
  }

  /** The CA certificate as PEM text. */
  public String caPem() {
    try {
      return Files.readString(caCertificate(), StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new ClusterException("Cannot read " + caCertificate() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The names a broker listening on {@code bind} and advertising {@code advertised} must carry in
   * its certificate: the advertised host and, for a wildcard bind, this machine's name.
   */
  static List<String> brokerNames(String advertised) {
    List<String> names = new ArrayList<>();
    names.add(advertised);
    try {
      InetAddress local = InetAddress.getLocalHost();
      names.add(local.getHostName());
      names.add(local.getCanonicalHostName());
    } catch (IOException e) {
      // no resolvable host name: the advertised address and localhost are named anyway
    }
    return names;
  }

  // ------------------------------------------------------------ generation

  private static void generateCa(Path dir, String storePassword)
      throws IOException, GeneralSecurityException {
    KeyPair pair = ecKeyPair();
    X500Name name = new X500Name("CN=swarmsched local CA " + secret(6) + ",O=swarmsched");
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            new BigInteger(64, RANDOM),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(VALIDITY)),
            name,
            pair.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(
        Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
    X509Certificate cert = sign(b, pair.getPrivate());
    writeKeyStore(dir.resolve("ca.p12"), "ca", pair.getPrivate(), storePassword, cert);
    writePem(dir.resolve("ca.crt"), cert);
  }

  private static void generateBroker(Path dir, String storePassword, List<String> names)
      throws IOException, GeneralSecurityException {
    KeyStore ca = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("ca.p12"))) {
      ca.load(in, storePassword.toCharArray());
    }
    PrivateKey caKey = (PrivateKey) ca.getKey("ca", storePassword.toCharArray());
    X509Certificate caCert = (X509Certificate) ca.getCertificate("ca");
    KeyPair pair = ecKeyPair();
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            caCert,
            new BigInteger(64, RANDOM),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(VALIDITY)),
            new X500Name("CN=" + names.get(0) + ",O=swarmsched"),
            pair.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    List<GeneralName> sans = new ArrayList<>();
    for (String n : new LinkedHashSet<>(names)) {
      sans.add(
          isIpLiteral(n)
              ? new GeneralName(GeneralName.iPAddress, n)
              : new GeneralName(GeneralName.dNSName, n));
    }
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(sans.toArray(GeneralName[]::new)));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    b.addExtension(
        Extension.extendedKeyUsage,
        false,
        new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    b.addExtension(
        Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
    X509Certificate cert = sign(b, caKey);
    writeKeyStore(
        dir.resolve("broker.p12"), "broker", pair.getPrivate(), storePassword, cert, caCert);
  }

  private static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws GeneralSecurityException {
    try {
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (org.bouncycastle.operator.OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static void writeKeyStore(
      Path file, String alias, PrivateKey key, String password, X509Certificate... chain)
      throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(alias, key, password.toCharArray(), (Certificate[]) chain);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      ks.store(out, password.toCharArray());
    }
    ownerOnly(tmp);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static void writePem(Path file, X509Certificate cert)
      throws IOException, GeneralSecurityException {
    StringWriter text = new StringWriter();
    try (PemWriter pem = new PemWriter(text)) {
      pem.writeObject(new PemObject("CERTIFICATE", cert.getEncoded()));
    }
    Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
  }

  static boolean isIpLiteral(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }

  // ------------------------------------------------------------ files

  private interface Maker {
    String make();
  }

  private static String readOrCreate(Path file, Maker maker) throws IOException {
    if (Files.exists(file)) {
      return Files.readString(file).strip();
    }
    String value = maker.make();
    Files.writeString(file, value);
    ownerOnly(file);
    return value;
  }

  private static Map<String, String> load(Path file) throws IOException {
    Map<String, String> m = new TreeMap<>();
    if (Files.exists(file)) {
      Properties p = new Properties();
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(in);
      }
      p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
    }
    return m;
  }

  static void store(Path file, Map<String, String> values, String comment) throws IOException {
    Properties p = new Properties();
    p.putAll(values);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(out, comment + "; generated by swarmsched, keep secret");
    }
    ownerOnly(tmp);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static void ownerOnly(Path path) {
    try {
      Files.setPosixFilePermissions(
          path,
          PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwx------" : "rw-------"));
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system (Windows): the directory's own ACLs apply
    }
  }

  /**
   * A random secret of {@code bytes} bytes, URL-safe base64 without '-' and '_' (so it never needs
   * quoting in JAAS, properties files, Kafka's --add-scram syntax or a shell).
   */
  static String secret(int bytes) {
    StringBuilder s = new StringBuilder();
    while (s.length() < bytes * 4 / 3) {
      byte[] raw = new byte[bytes];
      RANDOM.nextBytes(raw);
      for (char c : Base64.getUrlEncoder().withoutPadding().encodeToString(raw).toCharArray()) {
        if (Character.isLetterOrDigit(c)) {
          s.append(c);
        }
      }
    }
    return s.substring(0, bytes * 4 / 3);
  }

  private static void requireName(String principal) {
    if (principal == null || !principal.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new ClusterException(
          "A principal name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or"
              + " digit; not '"
              + principal
              + "'");
    }
  }
}
