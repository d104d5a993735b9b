/**
 * Errors of the product's rules, free of any transport: a step, a workflow or a queue consumer
 * throws them as they are, and the HTTP layer maps each code to its status and error envelope in
 * one place (src/http/errors.ts, `domainErrorAsApiError`).
 */
export const DOMAIN_ERROR_CODES = ['not_found', 'forbidden', 'conflict', 'limit_exceeded', 'unprocessable', 'not_configured'] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** The thing does not exist for the caller (another organization's objects included). */
export class NotFoundError extends DomainError {
  constructor(what: string, details?: unknown) {
    super('not_found', `${what} not found`, details);
    this.name = 'NotFoundError';
  }
}

/** A feature needs configuration this deployment does not have (a missing var or secret). */
export class NotConfiguredError extends DomainError {
  constructor(message: string) {
    super('not_configured', message);
    this.name = 'NotConfiguredError';
  }
}
