/**
 * Errors of the resource engine.
 *
 * @module
 */
import { EdgeflowError } from "../core/errors.js";
import type { AllocationExplanation } from "./types.js";

/** A request could not be granted; `explanation` says what is short and by how much. */
export class ResourceExhaustedError extends EdgeflowError {
  readonly requester: string;
  readonly explanation: AllocationExplanation;

  constructor(requester: string, explanation: AllocationExplanation) {
    super("resources.insufficient_capacity", `request of "${requester}" refused: ${explanation.message}`);
    this.requester = requester;
    this.explanation = explanation;
  }
}
