package io.swarmsched.simulator;

import io.swarmsched.scheduling.evaluator.Evaluators;
import java.util.List;

/**
 * Runs the simulator without the CLI: {@code java -cp ... io.swarmsched.simulator.Main SCENARIO|all
 * [HOSTS] [POLICY[,POLICY]|all] [no-super-seeding] [upload-slots=N] [pieces=N]}. The full interface
 * is {@code swarmsched simulate}.
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
    for (int i = 3; i < args.length; i++) {
      if (args[i].startsWith("pieces=")) {
        int pieces = Integer.parseInt(args[i].substring(7));
        scs = scs.stream().map(s -> s.withPieces(pieces)).toList();
      } else if (args[i].equals("no-super-seeding")) {
        options = options.withSuperSeeding(false);
      } else if (args[i].startsWith("upload-slots=")) {
        options = options.withUploadSlots(Integer.parseInt(args[i].substring(13)));
      } else {
        throw new IllegalArgumentException("unknown option: " + args[i]);
      }
    }
    Simulation.Results r = Simulation.run(scs, policies, options, System.err::println);
    System.out.print(Report.table(r));
  }
}
