/**
 * Errors specific to the infrastructure registry.
 *
 * @module
 */
import { EdgeflowError } from "../core/errors.js";

/**
 * A node needed an {@link EdgeInfrastructure} but the runtime was given a plain `ServiceRegistry`
 * with none registered in it.
 */
export class InfrastructureUnavailableError extends EdgeflowError {
  constructor() {
    super(
      "infra.unavailable",
      "ctx.infrastructure is a plain ServiceRegistry without an EdgeInfrastructure: create one with " +
        "`new EdgeInfrastructure()` and pass it as `new LocalRuntime({ infrastructure })`, or register one under " +
        "EDGE_INFRASTRUCTURE on the registry you pass",
    );
  }
}
