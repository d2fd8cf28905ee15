// The one renderer of errors. Each dialect configures it with a table (engine error code, or code
// and reason, or the core's own error kind -> status, code and message) and a function that lays an
// answer out in its shape. Dialect errors are HttpErrors already and go straight to that function;
// anything else is one 500 carrying the request id.

import { type EngineError, type EngineErrorCode, isEngineError } from '../engine/errors.ts'
import { CoreError, type CoreErrorKind, HttpError, InternalError } from './errors.ts'

/** How one kind of error answers in a dialect. */
export interface Answer {
  status: number
  /** The dialect's code for it, when its error shape has one. */
  code?: string | number
  /** What to say; the error's own message when absent. */
  message?: string | ((error: any) => string)
}

/**
 * Every engine error code and every core error kind must have an answer; `code:reason` entries
 * (e.g. "conflict:title-taken") refine one code for one reason.
 */
export type ErrorTable = Record<EngineErrorCode | CoreErrorKind, Answer> &
  Partial<Record<`${EngineErrorCode}:${string}`, Answer>>

export interface ErrorShape {
  table: ErrorTable
  /** Lays an answer out as this dialect's error response. */
  body(error: HttpError, requestId: string): Response
}

/** The HttpError a dialect answers for anything thrown while handling a request. */
export function toHttpError(table: ErrorTable, error: unknown, requestId: string): HttpError {
  if (error instanceof CoreError) return answer(table[error.kind], error)
  if (error instanceof HttpError) return error
  if (isEngineError(error)) return answer(engineAnswer(table, error), error)
  return answer(table.internal, new InternalError(requestId))
}

function engineAnswer(table: ErrorTable, error: EngineError): Answer {
  const reason = (error as { reason?: string }).reason
  return (reason && table[`${error.code}:${reason}`]) || table[error.code]
}

function answer(answer: Answer, error: Error): HttpError {
  const message =
    answer.message === undefined
      ? error.message
      : typeof answer.message === 'string'
        ? answer.message
        : answer.message(error)
  return new HttpError(answer.status, message, answer.code, error instanceof HttpError ? error.headers : {})
}
