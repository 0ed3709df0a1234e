package io.swarmsched.simulator;

import io.swarmsched.scheduling.evaluator.Evaluators;
import java.util.List;

/**
 * Runs the simulator without the CLI: {@code java -cp ... io.swarmsched.simulator.Main SCENARIO|all
 * [HOSTS] [POLICY[,POLICY]|all] [no-super-seeding] [keep-idle-parents]
 * [no-origin-assist|origin-assist=N] [source-room=SHARE] [no-copy-lost] [upload-slots=N] [pieces=N]
 * [seed=N] [trace]}. The full interface is {@code swarmsched simulate}.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    String scenario = args.length > 0 ? args[0] : "uniform";
    int hosts = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    String policy = args.length > 2 ? args[2] : "all";
    List<Scenario> scs =
        (scenario.equals("all") ? Scenarios.all() : List.of(Scenarios.byName(scenario)))
            .stream().map(s -> hosts > 0 ? s.withHosts(hosts) : s).toList();
    List<String> policies = policy.equals("all") ? Evaluators.names() : List.of(policy.split(","));
    SimOptions options = SimOptions.of(Evaluators.DEFAULT);
    boolean trace = false;
    for (int i = 3; i < args.length; i++) {
      if (args[i].startsWith("pieces=")) {
        int pieces = Integer.parseInt(args[i].substring(7));
        scs = scs.stream().map(s -> s.withPieces(pieces)).toList();
      } else if (args[i].equals("no-super-seeding")) {
        options = options.withSuperSeeding(false);
      } else if (args[i].startsWith("seed=")) {
        options = options.withSeed(Long.parseLong(args[i].substring(5)));
      } else if (args[i].equals("replace-idle-parents")) {
        options = options.withReplaceIdleParents(true); // the default now; kept for old commands
      } else if (args[i].equals("keep-idle-parents")) {
        options = options.withReplaceIdleParents(false);
      } else if (args[i].startsWith("origin-assist=")) {
        options = options.withOriginAssist(Integer.parseInt(args[i].substring(14)));
      } else if (args[i].startsWith("source-room=")) {
        options = options.withSourceRoom(Double.parseDouble(args[i].substring(12)));
      } else if (args[i].equals("no-origin-assist")) {
        options = options.withOriginAssist(0);
      } else if (args[i].equals("no-copy-lost")) {
        options = options.withCopyLostRule(false);
      } else if (args[i].equals("trace")) {
        trace = true;
      } else if (args[i].startsWith("upload-slots=")) {
        options = options.withUploadSlots(Integer.parseInt(args[i].substring(13)));
      } else {
        throw new IllegalArgumentException("unknown option: " + args[i]);
      }
    }
    if (trace) {
      // a timeline of one run per scenario and policy (stdout), for diagnosis
      for (Scenario sc : scs) {
        for (String p : policies) {
          SimResult one =
              new Swarm(sc, options.withPolicyOf(p), null).traceTo(System.out::println).run();
          System.out.printf(
              java.util.Locale.ROOT,
              "# %s %s p50 %.1f p99 %.1f seed %.2fx%n",
              sc.name(),
              p,
              one.p50(),
              one.p99(),
              one.seedFiles());
        }
      }
      return;
    }
    Simulation.Results r = Simulation.run(scs, policies, options, System.err::println);
    System.out.print(Report.table(r));
  }
}
