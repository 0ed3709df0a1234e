package io.swarmsched.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {

  @Test
  void untilReturnsOnceTheConditionHolds() {
    AtomicInteger calls = new AtomicInteger();
    Await.until(Duration.ofSeconds(30), "third call", () -> calls.incrementAndGet() >= 3);
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void valueReturnsTheFirstPresentValue() {
    AtomicInteger calls = new AtomicInteger();
    String value =
        Await.value(
            Duration.ofSeconds(30),
            "a value",
            () -> calls.incrementAndGet() < 2 ? Optional.empty() : Optional.of("ready"));
    assertThat(value).isEqualTo("ready");
  }

  @Test
  void timeoutThrowsAssertionErrorNamingWhatWasAwaitedWithTheLastFailureAsCause() {
    assertThatThrownBy(
            () ->
                Await.until(
                    Duration.ofMillis(50),
                    "the impossible",
                    () -> {
                      throw new IllegalStateException("still broken");
                    }))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the impossible")
        .hasRootCauseMessage("still broken");
  }
}
