// The success envelope of every JSON answer: {success, errors, messages, result, result_info?}.

export interface PageInfo {
  page: number
  per_page: number
  count: number
  total_count: number
  total_pages: number
}

export function ok(result: unknown, extra: { result_info?: unknown; messages?: unknown[] } = {}): Response {
  const body: Record<string, unknown> = { success: true, errors: [], messages: extra.messages ?? [], result }
  if (extra.result_info !== undefined) body.result_info = extra.result_info
  return Response.json(body)
}

/** One page of a list, numbered from 1; a page past the end is empty. */
export function paged<T>(items: T[], page: number, perPage: number): Response {
  const start = (page - 1) * perPage
  const slice = items.slice(start, start + perPage)
  const info: PageInfo = {
    page,
    per_page: perPage,
    count: slice.length,
    total_count: items.length,
    total_pages: Math.ceil(items.length / perPage),
  }
  return ok(slice, { result_info: info })
}
