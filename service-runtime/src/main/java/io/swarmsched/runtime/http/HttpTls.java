package io.swarmsched.runtime.http;

import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for swarmsched's HTTP APIs: the server side from a PKCS12 key store, the client side from a
 * PEM file of trusted CA certificates (the embedded cluster's {@code ca.crt}).
 */
public final class HttpTls {
  private HttpTls() {}

  /** PKCS12 key store holding the server's key and certificate chain; set = serve https. */
  public static final String KEYSTORE = io.swarmsched.runtime.config.CommonKeys.HTTP_TLS_KEYSTORE;

  public static final String KEYSTORE_PASSWORD =
      io.swarmsched.runtime.config.CommonKeys.HTTP_TLS_KEYSTORE_PASSWORD;

  /** PEM file of CA certificates a client trusts for https (else the JVM's default trust). */
  public static final String TRUSTED_CA = io.swarmsched.runtime.config.CommonKeys.HTTP_TLS_CA;

  /** The server context of {@value #KEYSTORE}, empty when it is not set. */
  public static Optional<SSLContext> serverContext(Settings settings) {
    Optional<String> store = settings.optional(KEYSTORE);
    if (store.isEmpty()) {
      return Optional.empty();
    }
    char[] password = settings.string(KEYSTORE_PASSWORD, "").toCharArray();
    try {
      return Optional.of(serverContext(Path.of(store.get()), password));
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          KEYSTORE, "cannot load the TLS key store " + store.get() + ": " + e.getMessage(), e);
    }
  }

  public static SSLContext serverContext(Path pkcs12, char[] password)
      throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(pkcs12)) {
      ks.load(in, password);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  /** A client context trusting {@value #TRUSTED_CA}, empty when it is not set. */
  public static Optional<SSLContext> clientContext(Settings settings) {
    Optional<String> ca = settings.optional(TRUSTED_CA);
    if (ca.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(clientContext(Path.of(ca.get())));
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          TRUSTED_CA, "cannot load the CA certificates " + ca.get() + ": " + e.getMessage(), e);
    }
  }

  /** A client context trusting exactly the certificates in the PEM file {@code caPem}. */
  public static SSLContext clientContext(Path caPem) throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new GeneralSecurityException("no certificate in " + caPem);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
