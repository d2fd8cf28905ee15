// Valibot at the edge: a parsed input, or the dialect's own error carrying the first issue's message.

import * as v from 'valibot'

export interface IssueTextOptions {
  /** Prefix the message with the dotted path of the offending member ("metadata.a: ..."). */
  withPath?: boolean
}

/** The message of a failed parse's first issue. */
export function issueText(
  issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]],
  options: IssueTextOptions = {},
) {
  const issue = issues[0]
  const path = options.withPath ? v.getDotPath(issue) : null
  // An index alone ("3") says nothing a reader can use; a member name does.
  return path && !/^\d+$/.test(path) ? `${path}: ${issue.message}` : issue.message
}

/** The parsed input, or `refuse(message)` thrown. */
export function parseWith<T>(
  schema: v.GenericSchema<unknown, T>,
  input: unknown,
  refuse: (message: string) => Error,
  options: IssueTextOptions = {},
): T {
  const result = v.safeParse(schema, input, { abortEarly: true })
  if (!result.success) throw refuse(issueText(result.issues, options))
  return result.output
}
