package io.swarmsched.dispatcher.cluster;

import org.junit.jupiter.api.AfterEach;

/** What the job pool's cluster tests share: a {@link JobCluster} per test, closed after it. */
abstract class JobClusterTestBase {
  JobCluster c;

  @AfterEach
  void stop() {
    if (c != null) c.close();
  }
}
