// Typed errors with a stable `code` that callers switch on. A denial is never
// an error (see reasons.ts); these are for bad input from a user, bad
// configuration, and failures of the machinery itself.

export type ErrorCode =
  | 'invalid_input' // bytes a user handed us that do not parse or do not fit the schema
  | 'usage' // a command line or API call that is off: unknown flag, missing value
  | 'config' // a setting that cannot work; names the setting
  | 'io' // a file or service that could not be read or written
  | 'integrity'; // a log or proof that does not verify

export class SebError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class InvalidInputError extends SebError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_input', message, options);
  }
}

export class UsageError extends SebError {
  constructor(message: string) {
    super('usage', message);
  }
}

export class ConfigError extends SebError {
  constructor(setting: string, message: string) {
    super('config', `${setting}: ${message}`);
  }
}

export class IoError extends SebError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('io', message, options);
  }
}

export class IntegrityError extends SebError {
  constructor(message: string) {
    super('integrity', message);
  }
}
