/**
 * Expected, user-facing failures: a bad file, an unknown preset, an infeasible request.
 * The CLI prints `message` as one line (no stack trace unless --debug) and exits non-zero.
 */
export class ChipdseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChipdseError';
  }
}

/** One problem found while validating a file: where it is and what was expected. */
export interface Issue {
  path: string;
  message: string;
  /** The file that set the field, when not the one validated (a field inherited through `extends`, or given by `--set`). */
  file?: string;
}

/** Several problems in one file, reported together, each as `file: path: what was expected`. */
export class ValidationError extends ChipdseError {
  constructor(
    readonly file: string,
    readonly issues: Issue[],
  ) {
    super(issues.map((i) => `${i.file ?? file}: ${i.path || '(root)'}: ${i.message}`).join('\n'));
    this.name = 'ValidationError';
  }
}
