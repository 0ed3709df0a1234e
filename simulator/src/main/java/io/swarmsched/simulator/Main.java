package io.swarmsched.simulator;

import io.swarmsched.scheduling.evaluator.Evaluators;
import java.util.List;

/**
 * Runs the simulator without the CLI: {@code java -cp ... io.swarmsched.simulator.Main SCENARIO|all
 * [HOSTS] [POLICY[,POLICY]|all] [no-super-seeding]}. The full interface is {@code swarmsched
 * simulate}.
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
    Simulation.Results r =
        Simulation.run(
            scs,
            policies,
            SimOptions.of(Evaluators.DEFAULT)
                .withSuperSeeding(!(args.length > 3 && args[3].equals("no-super-seeding"))),
            System.err::println);
    System.out.print(Report.table(r));
  }
}
