/** An answer the API gives on purpose: bad input (400 naming the parameter), 401, 404, 503. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** The query parameter at fault, for 400s. */
    readonly parameter?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function badRequest(parameter: string, message: string): ApiError {
  return new ApiError(400, `${parameter}: ${message}`, parameter);
}
