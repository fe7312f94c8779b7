import { problemMessage } from "@/lib/problem-messages";
import type { Problem } from "./types";

/** An API failure: the server's problem+json document, or a synthesized one for network failures. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title || `Request failed (${problem.status})`);
    this.name = "ApiError";
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
  }

  /** Field-level messages keyed by field name (first message per field wins). */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      if (e.field && !(e.field in out)) out[e.field] = e.message;
    }
    return out;
  }
}

function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "status" in value && ("title" in value || "code" in value);
}

export function toApiError(error: unknown, response?: Response): ApiError {
  if (error instanceof ApiError) return error;
  if (isProblem(error)) return new ApiError({ ...error, code: error.code ?? "error", title: error.title ?? "Error" });
  const status = response?.status ?? 0;
  const detail =
    typeof error === "string" && error
      ? error
      : error instanceof Error
        ? error.message
        : status === 0
          ? "Could not reach the server."
          : `Request failed with status ${status}.`;
  return new ApiError({ type: "about:blank", title: response?.statusText || "Request failed", status, detail, code: status === 0 ? "network_error" : "http_error" });
}

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** Turns an openapi-fetch result into data or a thrown ApiError (for TanStack Query). */
export async function unwrap<T>(promise: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await promise;
  } catch (e) {
    throw toApiError(e);
  }
  if (result.error !== undefined || !result.response.ok) throw toApiError(result.error, result.response);
  return result.data as T;
}

/** What to show a person: the problem code's message with a next step (src/lib/problem-messages.ts). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    // Field problems are shown beside their fields; the summary stays the server's.
    if (error.code === "validation_failed") return problemMessage(undefined, error.message);
    return problemMessage(error.code, error.message);
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
