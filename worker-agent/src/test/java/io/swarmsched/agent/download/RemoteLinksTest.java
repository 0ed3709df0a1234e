package io.swarmsched.agent.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RemoteLinksTest {
  private static final long MiB = 1 << 20;
  private static final long PIECE = 512 * 1024;

  /** Nanoseconds a piece takes at {@code bytesPerSecond}. */
  private static long at(double bytesPerSecond) {
    return (long) (PIECE * 1e9 / bytesPerSecond);
  }

  @Test
  void slowUntilEnoughRemoteFetchesAreKnown() {
    RemoteLinks links = new RemoteLinks(8);
    assertThat(links.slow()).isTrue();
    links.record(true, PIECE, at(4 * MiB), 4 * MiB);
    links.record(true, PIECE, at(4 * MiB), 4 * MiB);
    assertThat(links.slow()).as("two samples are not enough").isTrue();
    links.record(true, PIECE, at(4 * MiB), 4 * MiB);
    assertThat(links.slow()).isFalse();
  }

  @Test
  void remoteFetchesAreComparedWithLocalOnesRelativeToTheParentsLimits() {
    RemoteLinks links = new RemoteLinks(8);
    for (int i = 0; i < 3; i++) {
      links.record(false, PIECE, at(2 * MiB), 4 * MiB); // local: half of a 4 MiB/s parent
    }
    for (int i = 0; i < 3; i++) {
      links.record(true, PIECE, at(4 * MiB), 16 * MiB); // remote: a quarter of a 16 MiB/s one
    }
    assertThat(links.slow()).as("a quarter is half of a half: just keeps up").isFalse();
    for (int i = 0; i < 3; i++) {
      links.record(true, PIECE, at(1.5 * MiB), 16 * MiB);
    }
    assertThat(links.slow()).as("below half, above a quarter: still counts as fast").isFalse();
    for (int i = 0; i < 2; i++) {
      links.record(true, PIECE, at(MiB), 16 * MiB);
    }
    assertThat(links.slow()).as("the median fell below a quarter of the local one").isTrue();
    links.record(true, PIECE, at(3 * MiB), 16 * MiB);
    assertThat(links.slow()).as("slow again: it takes half of the local one to be fast").isTrue();
  }

  @Test
  void withoutLocalFetchesHalfOfOneUploadSlotsShareIsTheReference() {
    RemoteLinks links = new RemoteLinks(8);
    // a 4 MiB/s parent with 8 slots gives each at least 512 KiB/s; half of it is 256 KiB/s
    for (int i = 0; i < 3; i++) {
      links.record(true, PIECE, at(200 * 1024), 4 * MiB);
    }
    assertThat(links.slow()).isTrue();
    for (int i = 0; i < 5; i++) {
      links.record(true, PIECE, at(300 * 1024), 4 * MiB);
    }
    assertThat(links.slow()).isFalse();
  }

  @Test
  void onlyTheLastFetchesCount() {
    RemoteLinks links = new RemoteLinks(8);
    for (int i = 0; i < RemoteLinks.WINDOW; i++) {
      links.record(true, PIECE, at(4 * MiB), 4 * MiB);
    }
    assertThat(links.slow()).isFalse();
    for (int i = 0; i < RemoteLinks.WINDOW / 2 + 1; i++) {
      links.record(true, PIECE, at(64 * 1024), 4 * MiB); // the link crawls now
    }
    assertThat(links.slow()).isTrue();
  }

  @Test
  void parentsWithoutALimitGiveNoReference() {
    RemoteLinks links = new RemoteLinks(8);
    for (int i = 0; i < 5; i++) {
      links.record(true, PIECE, at(100 * MiB), 0);
    }
    assertThat(links.slow()).isTrue();
    assertThatThrownBy(() -> new RemoteLinks(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
