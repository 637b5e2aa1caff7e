/**
 * Building a node's raw inputs from its producers' outputs. Assembled key by key, each node's inputs
 * object went through a chain of hidden-class transitions and megamorphic keyed stores, and the input
 * parser then read it through the same slow lookups: together about a third of the runtime's own
 * per-node cost. Nodes wired alike (the same input ports fed from the same output ports, in the same
 * order) share one assembler, generated once, that builds the object as a literal.
 *
 * @module
 */

/** Builds the inputs of a node whose incoming edges are `from[first]`, `from[first + 1]`, ... */
export type InputAssembler = (outputs: readonly unknown[], from: Int32Array, first: number) => Record<string, unknown>;

// Distinct wirings are few in real workflows; the bound only keeps a stream of generated ones finite.
const MAX_ASSEMBLERS = 512;
const assemblers = new Map<string, InputAssembler | undefined>();

/** A name the generated literal can hold as a plain key, without special meaning to it. */
function literalSafe(name: string): boolean {
  return name !== "__proto__";
}

function generate(inputs: readonly string[], outputs: readonly string[]): InputAssembler | undefined {
  const fields = inputs.map((input, k) => `${JSON.stringify(input)}: outputs[from[first + ${k}]][${JSON.stringify(outputs[k])}]`);
  try {
    // Names enter the source only through JSON.stringify, as string literals.
    const factory = new Function(`return (outputs, from, first) => ({ ${fields.join(", ")} });`) as () => InputAssembler;
    return factory();
  } catch {
    // Where code generation is refused (a content security policy), the runtime assembles by hand.
    return undefined;
  }
}

/**
 * The assembler for a node whose k-th incoming edge feeds input `inputs[k]` from its producer's
 * output `outputs[k]`, or `undefined` when the generic loop must do (see {@link assembleInputs}).
 */
export function inputAssembler(inputs: readonly string[], outputs: readonly string[]): InputAssembler | undefined {
  if (!inputs.every(literalSafe)) return undefined;
  const key = JSON.stringify([inputs, outputs]);
  if (assemblers.has(key)) return assemblers.get(key);
  if (assemblers.size >= MAX_ASSEMBLERS) return undefined;
  const assembler = generate(inputs, outputs);
  assemblers.set(key, assembler);
  return assembler;
}
