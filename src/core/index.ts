export * from "./clock.js";
export * from "./errors.js";
export * from "./events.js";
export * from "./logger.js";
export * from "./random.js";
export * from "./services.js";
export * from "./validation.js";
export * from "./heap.js";
