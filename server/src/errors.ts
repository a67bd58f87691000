/**
 * Typed errors thrown by services and routes. The single error middleware (http/errors.ts) maps them to
 * status codes and the JSON body `{error: {code, message, details}}`.
 */
export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly problems: FieldProblem[],
  ) {
    super(422, 'validation_failed', message, problems);
  }
}
export class UnauthorizedError extends AppError {
  constructor(
    message = 'Sign in first: send "Authorization: Bearer <access token>".',
    code = 'unauthorized',
  ) {
    super(401, code, message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}
export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'not_found', `${what} was not found (or you do not have access to it).`);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, details);
  }
}
export class PreconditionFailedError extends AppError {
  constructor(message: string, details?: unknown) {
    super(412, 'precondition_failed', message, details);
  }
}
export class PreconditionRequiredError extends AppError {
  constructor(message: string) {
    super(428, 'precondition_required', message);
  }
}
