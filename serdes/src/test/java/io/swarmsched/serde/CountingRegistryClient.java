package io.swarmsched.serde;

import io.swarmsched.registry.client.CompatibilityLevel;
import io.swarmsched.registry.client.SchemaMetadata;
import io.swarmsched.registry.client.SchemaRegistryClient;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/** Delegates to another client and counts the calls the serdes make. */
final class CountingRegistryClient implements SchemaRegistryClient {
  final SchemaRegistryClient delegate;
  final AtomicInteger registers = new AtomicInteger();
  final AtomicInteger lookups = new AtomicInteger();
  final AtomicInteger byIds = new AtomicInteger();
  final AtomicInteger latests = new AtomicInteger();

  CountingRegistryClient(SchemaRegistryClient delegate) {
    this.delegate = delegate;
  }

  @Override
  public int register(String subject, Schema schema) {
    registers.incrementAndGet();
    return delegate.register(subject, schema);
  }

  @Override
  public SchemaMetadata lookup(String subject, Schema schema) {
    lookups.incrementAndGet();
    return delegate.lookup(subject, schema);
  }

  @Override
  public Schema getById(int id) {
    byIds.incrementAndGet();
    return delegate.getById(id);
  }

  @Override
  public SchemaMetadata getLatest(String subject) {
    latests.incrementAndGet();
    return delegate.getLatest(subject);
  }

  @Override
  public SchemaMetadata getVersion(String subject, int version) {
    return delegate.getVersion(subject, version);
  }

  @Override
  public List<String> subjects() {
    return delegate.subjects();
  }

  @Override
  public List<Integer> versions(String subject) {
    return delegate.versions(subject);
  }

  @Override
  public boolean testCompatibility(String subject, Schema schema) {
    return delegate.testCompatibility(subject, schema);
  }

  @Override
  public CompatibilityLevel getCompatibility(String subject) {
    return delegate.getCompatibility(subject);
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    delegate.setCompatibility(subject, level);
  }

  @Override
  public List<Integer> deleteSubject(String subject) {
    return delegate.deleteSubject(subject);
  }
}
