package io.swarmsched.scheduling.worker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Jobs waiting for capacity, bounded, by priority: higher priority first, then earlier arrival,
 * then id. When full, a new job enters only if it outranks the lowest waiting one, which is then
 * evicted (and must be answered, never dropped silently). Not thread-safe.
 */
public final class WaitingQueue<T> {

  /** A waiting job. */
  public record Entry<T>(String id, int priority, long enqueuedAtMillis, T item) {}

  /**
   * The result of an offer: accepted or not, and the job that left the queue to make room, if any.
   */
  public record Offer<T>(boolean accepted, Optional<Entry<T>> evicted) {}

  private static final Comparator<Entry<?>> ORDER =
      Comparator.comparingInt((Entry<?> e) -> -e.priority())
          .thenComparingLong(Entry::enqueuedAtMillis)
          .thenComparing(Entry::id);

  private final int capacity;
  private final TreeSet<Entry<T>> entries = new TreeSet<>(ORDER);

  public WaitingQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  public Offer<T> offer(String id, int priority, long enqueuedAtMillis, T item) {
    Entry<T> e = new Entry<>(Objects.requireNonNull(id, "id"), priority, enqueuedAtMillis, item);
    if (entries.size() < capacity) {
      entries.add(e);
      return new Offer<>(true, Optional.empty());
    }
    Entry<T> lowest = entries.last();
    if (ORDER.compare(e, lowest) < 0) {
      entries.pollLast();
      entries.add(e);
      return new Offer<>(true, Optional.of(lowest));
    }
    return new Offer<>(false, Optional.empty());
  }

  /** The highest-ranked waiting job, removed. */
  public Optional<Entry<T>> poll() {
    return Optional.ofNullable(entries.pollFirst());
  }

  public Optional<Entry<T>> peek() {
    return entries.isEmpty() ? Optional.empty() : Optional.of(entries.first());
  }

  /** Waiting jobs in rank order. */
  public List<Entry<T>> snapshot() {
    return new ArrayList<>(entries);
  }

  public boolean remove(String id) {
    return entries.removeIf(e -> e.id().equals(id));
  }

  public int size() {
    return entries.size();
  }

  public int capacity() {
    return capacity;
  }
}
