import { isSluiceError, SluiceError } from "../errors.js";
import { pinpointAll } from "./locate.js";

/**
 * Runs one of the API's entry points and puts the diagnostics of the
 * SluiceError it throws at their lines: the one place stack locations are
 * resolved. The stages below report where a problem is as a property path
 * in a stack (an origin), which is cheap and needs no file; reading the
 * stacks to find the line of each path is done here, once per error, with
 * the project root the entry point was given.
 */
export async function locatedErrors<T>(root: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw isSluiceError(error) ? located(root, error) : error;
  }
}

/** The same error with its diagnostics at their lines, grouped as the stage that threw it asked. */
export function located(root: string, error: SluiceError): SluiceError {
  const diagnostics = pinpointAll(root, error.diagnostics);
  const atLines = new SluiceError(error.summary, error.regroup ? error.regroup(diagnostics) : diagnostics);
  atLines.stack = error.stack;
  return atLines;
}
